//! A TCP relay that can be cut: once cut, bytes stop flowing both ways and every connection stays
//! open, as in a network partition (no reset, no FIN; the far end never learns anything).

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A relay on loopback to one upstream address.
#[derive(Debug)]
pub struct Relay {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
}

impl Relay {
    /// Listens on a free loopback port and relays every connection to `upstream`.
    pub fn to(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("the relay's address");
        let cut = Arc::new(AtomicBool::new(false));
        let flag = cut.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if flag.load(Ordering::SeqCst) {
                    // Accepted by the kernel already; held open, never answered.
                    std::mem::forget(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let (Ok(client_reader), Ok(server_reader)) =
                    (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                pipe(client_reader, server, flag.clone());
                pipe(server_reader, client, flag.clone());
            }
        });
        Relay { addr, cut }
    }

    /// The address to connect to instead of the upstream one.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops every byte from now on; the connections stay open.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` until either closes; once `cut`, passes nothing more and holds both open
/// for ever (a thread blocked in `read` notices the cut on its next read).
fn pipe(mut from: TcpStream, mut to: TcpStream, cut: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            let read = from.read(&mut buffer);
            if cut.load(Ordering::SeqCst) {
                std::mem::forget((from, to));
                return;
            }
            match read {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown(std::net::Shutdown::Write);
                    return;
                }
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        return;
                    }
                }
            }
        }
    });
}
