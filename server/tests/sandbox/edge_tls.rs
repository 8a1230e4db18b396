//! The edge's certificate, checked from the gateway: a real Caddy serving an expired certificate.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wire::Status;

use super::support::{gateway, wait_check, Sandbox};

struct Caddy(Child);

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, and a leaf for ciam.olympus.test signed by it that expired before it began.
fn expired_chain(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-days",
                "30",
                "-subj",
                "/CN=Aegis test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"][..],
            &ec,
            &[
                "-subj",
                "/CN=ciam.olympus.test",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
            ],
        ]
        .concat(),
    );
    std::fs::write(dir.join("ext"), "subjectAltName=DNS:ciam.olympus.test\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "-1",
            "-extfile",
            "ext",
            "-out",
            "leaf.pem",
        ],
    );
}

async fn start_caddy(dir: &Path, port: u16) -> Caddy {
    let caddyfile = format!(
        "{{\n  admin off\n  skip_install_trust\n  auto_https disable_redirects\n  storage file_system {data}\n}}\n\
         https://ciam.olympus.test:{port} {{\n  bind 127.0.0.1\n  tls {d}/leaf.pem {d}/leaf.key\n  respond /healthz \"ok\" 200\n}}\n",
        data = dir.join("data").display(),
        d = dir.display()
    );
    std::fs::write(dir.join("Caddyfile"), caddyfile).unwrap();
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(dir.join("Caddyfile"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("caddy starts (apt-get install caddy)");
    let mut caddy = Caddy(child);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            caddy.0.try_wait().unwrap().is_none(),
            "caddy exited; see {}",
            dir.join("Caddyfile").display()
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "caddy did not listen on {port} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    caddy
}

#[tokio::test]
async fn an_expired_edge_certificate_is_down_with_the_reason() {
    let sb = Sandbox::claim().await;
    let dir = tempfile::tempdir().unwrap();
    expired_chain(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _caddy = start_caddy(dir.path(), port).await;
    let mut s = sb.settings();
    s.edges.truncate(1);
    s.edges[0].url =
        server::values::HttpUrl::parse(&format!("https://ciam.olympus.test:{port}/healthz"))
            .unwrap();
    s.edges[0].ca_bundle = Some(dir.path().join("ca.pem"));
    let gw = gateway(s).await;
    wait_check(&gw.hub, "edge.ciam", Status::Down, "certificate expired").await;
}
