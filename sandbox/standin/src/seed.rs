//! The sandbox's people, the same every time: a scope's identities (UUID v4 ids, an email each)
//! and their Kratos sessions, drawn from a generator seeded with the scope's name. Kratos, Hydra
//! (whose subjects are the same scope's identity ids) and the PostgreSQL dump all derive them
//! from here, so they agree without talking to each other.
//!
//! The counts: 2,400 identities in `ciam`, 300 in `iam` (other scopes 300), overridable with the
//! environment variable `STANDIN_IDENTITIES` (Kratos, Hydra) or `STANDIN_IDENTITIES_<SCOPE>` (the
//! PostgreSQL container, which dumps both scopes).

/// Microseconds since the Unix epoch.
pub type Micros = i64;

pub const SECOND: Micros = 1_000_000;
pub const HOUR: Micros = 3600 * SECOND;
pub const DAY: Micros = 24 * HOUR;
/// Olympus's Kratos session lifespan (`session.lifespan: 720h`).
pub const SESSION_LIFESPAN: Micros = 30 * DAY;
/// The most identities a scope may be given (a bound on memory and start-up time).
pub const MAX_IDENTITIES: usize = 200_000;

/// splitmix64: small, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    /// A generator for `label` (FNV-1a of the label as the seed).
    pub fn new(label: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A version 4 UUID from the generator.
    pub fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_be_bytes());
        b[8..].copy_from_slice(&self.next().to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }
}

const FIRST: [&str; 24] = [
    "ariadne", "castor", "daphne", "helios", "iris", "pollux", "andreas", "eleni", "nikos",
    "sofia", "yannis", "maria", "dimitris", "katerina", "petros", "anna", "giorgos", "zoe",
    "kostas", "irene", "leon", "thalia", "stavros", "chloe",
];
const LAST: [&str; 20] = [
    "papadopoulos",
    "nikolaidis",
    "georgiou",
    "vlachos",
    "karras",
    "antoniou",
    "dimou",
    "lambrou",
    "makris",
    "petridis",
    "raptis",
    "samaras",
    "stathis",
    "theodorou",
    "zervas",
    "alexiou",
    "christou",
    "galanis",
    "kouris",
    "markou",
];
const USER_AGENTS: [&str; 5] = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
    "Hera/4.2.0 (iOS 17.5; iPhone15,2)",
];
const LOCATIONS: [&str; 6] = [
    "Athens, GR",
    "Thessaloniki, GR",
    "Patras, GR",
    "Heraklion, GR",
    "Berlin, DE",
    "London, GB",
];

/// One seeded Kratos session.
#[derive(Debug, Clone)]
pub struct SeedSession {
    pub id: String,
    pub device_id: String,
    pub authenticated_at: Micros,
    pub ip: String,
    pub user_agent: &'static str,
    pub location: &'static str,
}

/// One seeded identity.
#[derive(Debug, Clone)]
pub struct SeedIdentity {
    pub id: String,
    pub email: String,
    pub created_at: Micros,
    pub verifiable_address_id: String,
    pub recovery_address_id: String,
    pub sessions: Vec<SeedSession>,
}

/// How many identities `scope` has by default.
pub fn default_count(scope: &str) -> usize {
    match scope {
        "ciam" => 2400,
        _ => 300,
    }
}

/// `raw` as an identity count, `None` when it is not a number in 0..=MAX_IDENTITIES.
pub fn parse_count(raw: &str) -> Option<usize> {
    raw.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= MAX_IDENTITIES)
}

/// The scope of a service name: the part before the first `-` (`ciam-kratos` -> `ciam`).
pub fn scope_of(name: &str) -> &str {
    name.split('-').next().unwrap_or(name)
}

/// The mail domain of a scope's people: customers (`ciam`) or staff (`iam`).
fn domain(scope: &str) -> String {
    match scope {
        "ciam" => "example.com".into(),
        "iam" => "staff.olympus.test".into(),
        other => format!("{other}.olympus.test"),
    }
}

/// The identities of `scope`, `count` of them, with times relative to `epoch` (when the data was
/// seeded): created up to two years before, sessions authenticated in the three days before.
/// About a quarter have no session, the rest one to three.
pub fn population(scope: &str, count: usize, epoch: Micros) -> Vec<SeedIdentity> {
    let mut rng = Rng::new(&format!("olympus-sandbox/{scope}/identities"));
    let domain = domain(scope);
    (0..count)
        .map(|i| {
            let id = rng.uuid();
            let first = rng.pick(&FIRST);
            let last = rng.pick(&LAST);
            let email = format!("{first}.{last}.{:04}@{domain}", i + 1);
            let created_at = epoch - 2 * DAY - rng.below(700 * DAY as u64) as i64;
            let verifiable_address_id = rng.uuid();
            let recovery_address_id = rng.uuid();
            let n = match rng.below(100) {
                0..=24 => 0,
                25..=59 => 1,
                60..=84 => 2,
                _ => 3,
            };
            let sessions = (0..n)
                .map(|_| SeedSession {
                    id: rng.uuid(),
                    device_id: rng.uuid(),
                    authenticated_at: epoch - SECOND - rng.below(3 * DAY as u64) as i64,
                    ip: format!(
                        "{}.{}",
                        rng.pick(&["203.0.113", "198.51.100", "192.0.2"]),
                        1 + rng.below(254)
                    ),
                    user_agent: rng.pick(&USER_AGENTS),
                    location: rng.pick(&LOCATIONS),
                })
                .collect();
            SeedIdentity {
                id,
                email,
                created_at,
                verifiable_address_id,
                recovery_address_id,
                sessions,
            }
        })
        .collect()
}

/// The identity count for `scope` from the environment variable `var` (else the default), and a
/// complaint when the variable is set but unusable.
pub fn count_from_env(scope: &str, var: &str) -> (usize, Option<String>) {
    match std::env::var(var) {
        Ok(raw) if !raw.trim().is_empty() => match parse_count(&raw) {
            Some(n) => (n, None),
            None => (
                default_count(scope),
                Some(format!(
                    "{var}={raw:?} is not a count (0..={MAX_IDENTITIES}): using {}",
                    default_count(scope)
                )),
            ),
        },
        _ => (default_count(scope), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_people_every_time() {
        let a = population("ciam", 50, 1_000 * DAY);
        let b = population("ciam", 50, 2_000 * DAY);
        assert_eq!(a.len(), 50);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.id, y.id, "ids do not depend on the seeding time");
            assert_eq!(x.email, y.email);
            assert_eq!(x.sessions.len(), y.sessions.len());
        }
        let iam = population("iam", 50, 1_000 * DAY);
        assert_ne!(a[0].id, iam[0].id, "scopes differ");
        // A longer population starts with the shorter one.
        let more = population("ciam", 60, 1_000 * DAY);
        assert_eq!(more[49].id, a[49].id);
        assert!(a[0].email.ends_with("@example.com"), "{}", a[0].email);
        assert!(iam[0].email.ends_with("@staff.olympus.test"));
    }

    #[test]
    fn uuids_are_v4_and_sessions_vary() {
        let people = population("ciam", 2400, 1_000 * DAY);
        let mut ids = std::collections::HashSet::new();
        for p in &people {
            assert!(crate::random::is_uuid(&p.id));
            assert_eq!(&p.id[14..15], "4");
            assert!(ids.insert(p.id.clone()));
            for s in &p.sessions {
                assert!(ids.insert(s.id.clone()), "session ids are unique too");
                assert!(s.authenticated_at < 1_000 * DAY);
            }
        }
        let by_count = |n: usize| people.iter().filter(|p| p.sessions.len() == n).count();
        assert!(
            by_count(0) > 400 && by_count(3) > 200,
            "0..=3 sessions each"
        );
        assert_eq!(by_count(4), 0);
    }

    #[test]
    fn counts() {
        assert_eq!(default_count("ciam"), 2400);
        assert_eq!(default_count("iam"), 300);
        assert_eq!(parse_count(" 12 "), Some(12));
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("999999999"), None);
        assert_eq!(scope_of("ciam-kratos"), "ciam");
    }
}
