//! The ORCA mock's builder: accounts, operators, clock, fixtures, tenants, the pusher's port.

use super::*;

/// Configures an [`OrcaMock`]; start from [`OrcaMock::builder`]. The defaults: fixtures loaded, account `ormaster`
/// / `ormaster`, clock frozen at `2018-01-25T12:00:00+09:00`, listening on `127.0.0.1` at a free port.
#[derive(Debug)]
pub struct OrcaMockBuilder {
    accounts: Vec<Account>,
    operators: BTreeSet<String>,
    clock: Clock,
    fixtures: bool,
    bind: SocketAddr,
    pusher: Option<SocketAddr>,
    tenants: Vec<(String, Account)>,
}

impl Default for OrcaMockBuilder {
    fn default() -> Self {
        OrcaMockBuilder {
            accounts: Vec::new(),
            operators: BTreeSet::from(["ormaster".to_owned()]),
            clock: Clock::fixtures_default(),
            fixtures: true,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            pusher: None,
            tenants: Vec::new(),
        }
    }
}

builder_methods!(OrcaMockBuilder, fixtures);

setters!(OrcaMockBuilder {
    /// Sets the clock that retention reads. Default: [`Clock::fixtures_default`], frozen at
    /// `2018-01-25T12:00:00+09:00`, whether or not fixtures are loaded.
    clock(clock: Clock) => clock = clock;
    /// Also serves the PUSH通知 socket on a port of its own, as 日レセ's `jma-receipt-pusher` does
    /// (`ws://HOST:9400/ws`; there the `X-GINBEE-TENANT-ID` header is required). Port 0 picks a free one.
    pusher(addr: SocketAddr) => pusher = Some(addr);
});

impl OrcaMockBuilder {
    /// Lets `user` in with `password`. Without any call, the only account is `ormaster` / `ormaster`; the first
    /// call replaces that default, and further calls add accounts. Every account user is a registered operator.
    pub fn account(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts.push(Account::new(user, password));
        self
    }

    /// Registers an ORCA operator ID, so that a `user` filter naming it is not answered with 0099. `ormaster` is
    /// registered by default; so is every account user and every `user` of a stored notification.
    pub fn operator(mut self, id: impl Into<String>) -> Self {
        self.operators.insert(id.into());
        self
    }

    /// Registers tenant `id` (1 to 20 digits) with its own account and an empty store, as
    /// [`OrcaMock::add_tenant`] does; the default tenant (no header) keeps the settings above.
    pub fn tenant(
        mut self,
        id: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.tenants.push((id.into(), Account::new(user, password)));
        self
    }

    /// Starts the server on the current tokio runtime. Fails if the address cannot be bound.
    pub async fn spawn(self) -> io::Result<OrcaMock> {
        let accounts = if self.accounts.is_empty() {
            vec![Account::new("ormaster", "ormaster")]
        } else {
            self.accounts
        };
        let inner = Inner {
            store: fixtures::starting_store(self.fixtures)?,
            clock: self.clock,
        };
        let switch = StopSwitch::new();
        let shared = Arc::new(Shared {
            accounts,
            operators: self.operators,
            harness: Harness::new(switch.stopping()),
            inner: Mutex::new(inner),
            live: live::Hub::new(),
            tenants: Mutex::default(),
        });
        for (id, account) in &self.tenants {
            tenants::add(&shared, id, &account.user, account.password())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
        let server = MockServer::spawn(router(shared.clone()), self.bind, switch).await?;
        tracing::info!(addr = %server.addr(), "ORCA mock listening");
        let pusher = match self.pusher {
            Some(addr) => {
                let router = pusher_router(shared.clone());
                Some(MockServer::spawn(router, addr, StopSwitch::new()).await?)
            }
            None => None,
        };
        Ok(OrcaMock {
            shared,
            server,
            pusher,
        })
    }
}
