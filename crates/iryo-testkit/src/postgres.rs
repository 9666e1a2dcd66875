//! A real PostgreSQL for the tests: the server named by `IRYO_TEST_POSTGRES_URL`, or a throwaway
//! cluster started with Debian's `initdb` + `pg_ctl` on a free loopback port under `target/`, and
//! stopped when dropped. No PostgreSQL found is a failure naming the install command, never a
//! silent pass.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The password of the throwaway cluster's `postgres` user (tests check it never shows).
pub const TEST_PASSWORD: &str = "pg-test-Secret-7f3a";

/// A PostgreSQL server for one test. Dropping it stops a cluster it started.
#[derive(Debug)]
pub struct TestPostgres {
    url: String,
    cluster: Option<Cluster>,
}

#[derive(Debug)]
struct Cluster {
    pg_ctl: PathBuf,
    data: PathBuf,
    as_postgres: bool,
}

impl TestPostgres {
    /// `IRYO_TEST_POSTGRES_URL`, or a new cluster in a directory of its own under `scratch`
    /// (pass `env!("CARGO_TARGET_TMPDIR")`).
    ///
    /// # Panics
    ///
    /// When neither is available: the message says how to install PostgreSQL.
    pub fn start(scratch: &Path) -> TestPostgres {
        if let Ok(url) = std::env::var("IRYO_TEST_POSTGRES_URL")
            && !url.is_empty()
        {
            return TestPostgres { url, cluster: None };
        }
        let Some(bin) = find_bin() else {
            panic!(
                "this test needs PostgreSQL: install it (`apt-get install -y postgresql`, which \
                 .ci/run does) or set IRYO_TEST_POSTGRES_URL to a server the test may write to"
            );
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        // As root the cluster belongs to `postgres`, who may not be able to enter a checkout
        // (a clone under a 0700 folder): then it lives in the system's temporary folder.
        let base = if is_root() {
            std::env::temp_dir()
        } else {
            scratch.to_path_buf()
        };
        let dir = base.join(format!("iryo-postgres-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the cluster directory");
        let data = dir.join("data");
        let pwfile = dir.join("password");
        std::fs::write(&pwfile, TEST_PASSWORD).expect("the password file");
        // A self-signed certificate, as Debian's default cluster has: `sslmode=require` works.
        let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        run(Command::new("chmod").arg("600").arg(&key));
        // initdb and pg_ctl refuse to run as root: then the cluster belongs to `postgres`.
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").args(["-R", "postgres:"]).arg(&dir));
        }
        let mut initdb = command(as_postgres, &bin.join("initdb"));
        initdb
            .args([
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .arg("-D")
            .arg(&data);
        run(&mut initdb);
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c ssl=on \
             -c ssl_cert_file={} -c ssl_key_file={}",
            dir.display(),
            cert.display(),
            key.display()
        );
        let pg_ctl = bin.join("pg_ctl");
        let mut start = command(as_postgres, &pg_ctl);
        start
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"]);
        run(&mut start);
        TestPostgres {
            url: format!("postgres://postgres:{TEST_PASSWORD}@127.0.0.1:{port}/postgres"),
            cluster: Some(Cluster {
                pg_ctl,
                data,
                as_postgres,
            }),
        }
    }

    /// `postgres://user:password@127.0.0.1:PORT/db`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's address on loopback.
    pub fn addr(&self) -> std::net::SocketAddr {
        let port = self
            .url
            .rsplit(':')
            .next()
            .and_then(|tail| tail.split('/').next())
            .and_then(|port| port.parse().ok())
            .expect("the URL ends with :PORT/db");
        std::net::SocketAddr::from(([127, 0, 0, 1], port))
    }

    /// The URL with `port` in place of the server's (a relay in between).
    pub fn url_through(&self, port: u16) -> String {
        let server = self.addr().port();
        self.url
            .replace(&format!(":{server}/"), &format!(":{port}/"))
    }

    /// Runs SQL with `psql` and returns its unaligned, tuples-only output.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new("psql")
            .args([
                self.url.as_str(),
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output()
            .expect("psql runs (Debian package postgresql-client)");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8")
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(cluster) = &self.cluster {
            let mut stop = command(cluster.as_postgres, &cluster.pg_ctl);
            stop.arg("-D")
                .arg(&cluster.data)
                .args(["-m", "immediate", "-w", "stop"]);
            let _ = stop.output();
            if let Some(dir) = cluster.data.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

fn find_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().or_else(|| {
        ["/usr/local/bin", "/usr/bin"]
            .map(PathBuf::from)
            .into_iter()
            .find(|bin| bin.join("initdb").is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn command(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(program)
            .current_dir(std::env::temp_dir());
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) {
    let out = command.output().expect("the PostgreSQL tool starts");
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
