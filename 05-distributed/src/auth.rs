//! Who may join: a shared secret, and a handshake in which each side proves it holds it.
//!
//! As ipyparallel and Jupyter do it: the scheduler makes a random secret (or reads one),
//! keeps it in a file only its user can read, and every peer that connects must prove it
//! knows the secret. The proof is an HMAC-SHA256 of two random nonces, one from each side
//! ([`shared::secret`], which lesson 6's connections use too), so the secret never crosses
//! the wire and a recorded handshake cannot be replayed. The scheduler proves itself too,
//! so that a worker never serves a scheduler that someone else started on the port it
//! expected.
//!
//! What it does not do: encrypt. Anyone who can read the traffic reads the tasks and the
//! results. Across machines, put the connections in an SSH tunnel or a VPN, or add TLS (as
//! dask's `tls://` addresses do).

use std::net::SocketAddr;
use std::path::PathBuf;

pub use shared::secret::{LEN, Nonce, Secret, SecretError as AuthError};

// ANCHOR: side
/// Who is proving: the two proofs of a handshake differ, so one cannot stand for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A worker or a client, answering the scheduler's challenge.
    Peer,
    /// The scheduler, answering the peer's.
    Scheduler,
}

/// The label each side's proof is made under ([`Secret::prove`]).
impl AsRef<str> for Side {
    fn as_ref(&self) -> &str {
        match self {
            Side::Peer => "parallel-rust lesson 5: peer",
            Side::Scheduler => "parallel-rust lesson 5: scheduler",
        }
    }
}
// ANCHOR_END: side

/// Where a scheduler listening on `addr` keeps its secret by default, and where its peers
/// look for it: `~/.parallel-rust/scheduler-05-HOST-PORT.secret`.
pub fn default_path(addr: SocketAddr) -> PathBuf {
    let host = addr.ip().to_string().replace([':', '.'], "-");
    shared::secret::default_folder().join(format!("scheduler-05-{host}-{}.secret", addr.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_sides_prove_under_different_labels() {
        let secret = Secret::random().unwrap();
        let (c, a) = (Nonce::random().unwrap(), Nonce::random().unwrap());
        let proof = secret.prove(Side::Peer, &c, &a);
        assert!(secret.verify(Side::Peer, &c, &a, &proof));
        assert!(
            !secret.verify(Side::Scheduler, &c, &a, &proof),
            "the other side"
        );
    }
}
