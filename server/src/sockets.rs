//! How many live websockets each session holds, so one session (a share link's viewer, say)
//! cannot open sockets without bound.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default, Debug)]
pub struct SocketSlots {
    held: Arc<Mutex<HashMap<String, usize>>>,
}

/// One socket's place; dropping it frees the place.
#[derive(Debug)]
pub struct Slot {
    slots: SocketSlots,
    session: String,
}

impl SocketSlots {
    /// A place for one more socket of `session`, when it holds fewer than `max`.
    pub fn take(&self, session: &str, max: usize) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let n = held.entry(session.to_string()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            session: session.to_string(),
        })
    }

    /// Sockets `session` holds now.
    pub fn held(&self, session: &str) -> usize {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(session).copied().unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.session) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.session);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_holds_at_most_max_and_gets_places_back() {
        let slots = SocketSlots::default();
        let held: Vec<Slot> = (0..3).map(|_| slots.take("a", 3).unwrap()).collect();
        assert!(slots.take("a", 3).is_none());
        assert!(
            slots.take("b", 3).is_some(),
            "another session is not affected"
        );
        drop(held);
        assert_eq!(slots.held("a"), 0);
        assert!(slots.take("a", 3).is_some());
    }
}
