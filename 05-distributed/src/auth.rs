//! Who may join: a shared secret, and a handshake in which each side proves it holds it.
//!
//! As ipyparallel and Jupyter do it: the scheduler makes a random secret (or reads one),
//! keeps it in a file only its user can read, and every peer that connects must prove it
//! knows the secret. The proof is an HMAC-SHA256 of two random nonces, one from each side,
//! so the secret never crosses the wire and a recorded handshake cannot be replayed. The
//! scheduler proves itself too, so that a worker never serves a scheduler that someone
//! else started on the port it expected.
//!
//! What it does not do: encrypt. Anyone who can read the traffic reads the tasks and the
//! results. Across machines, put the connections in an SSH tunnel or a VPN, or add TLS (as
//! dask's `tls://` addresses do).

use std::fs;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Bytes of a secret, a nonce and a proof.
pub const LEN: usize = 32;

/// A random value used once per handshake.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nonce(pub [u8; LEN]);

impl Nonce {
    /// A fresh nonce from the operating system's generator.
    pub fn random() -> Result<Nonce, AuthError> {
        let mut bytes = [0; LEN];
        getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
        Ok(Nonce(bytes))
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nonce({})", hex(&self.0[..4]))
    }
}

/// Who is proving: the two proofs of a handshake differ, so one cannot stand for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A worker or a client, answering the scheduler's challenge.
    Peer,
    /// The scheduler, answering the peer's.
    Scheduler,
}

/// The secret a scheduler and its peers share. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// What can go wrong with a secret.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot make a random secret: {0}")]
    Random(String),
    #[error(
        "cannot read the scheduler's secret {0}: {1}. Start the scheduler first (it writes the \
         file), or pass the file it printed with --secret-file"
    )]
    Read(PathBuf, std::io::Error),
    #[error(
        "{0} is not a secret file: it must hold {LEN} bytes as {hex} hex digits (the scheduler \
         writes it; copy it whole)",
        hex = LEN * 2
    )]
    Malformed(PathBuf),
    #[error(
        "{0} can be read by other users (mode {1:o}): anyone who reads it can join the cluster. \
         Run `chmod 600 {0}`, then start again"
    )]
    Exposed(PathBuf, u32),
    #[error("cannot write the secret to {0}: {1}")]
    Write(PathBuf, std::io::Error),
}

impl Secret {
    /// A fresh secret from the operating system's generator.
    pub fn random() -> Result<Secret, AuthError> {
        Nonce::random().map(|n| Secret(n.0))
    }

    /// Reads a secret file, refusing one that other users can read (as ssh does).
    pub fn load(path: &Path) -> Result<Secret, AuthError> {
        let text = fs::read_to_string(path).map_err(|e| AuthError::Read(path.into(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(path)
                .map_err(|e| AuthError::Read(path.into(), e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(AuthError::Exposed(path.into(), mode & 0o777));
            }
        }
        parse_hex(text.trim())
            .map(Secret)
            .ok_or_else(|| AuthError::Malformed(path.into()))
    }

    /// Writes the secret to `path`, readable and writable by this user only, in a folder
    /// made for it if needed (also this user's only). The file appears whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), AuthError> {
        let error = |e| AuthError::Write(path.into(), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(error)?;
        }
        let partial = path.with_extension("partial");
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).map_err(error)?;
        file.write_all(format!("{}\n", hex(&self.0)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(error)?;
        fs::rename(&partial, path).map_err(error)
    }

    // ANCHOR: prove
    /// The proof that `side` holds this secret, for the nonces of one handshake: the
    /// scheduler's `challenge` and the peer's `answer`.
    pub fn prove(&self, side: Side, challenge: &Nonce, answer: &Nonce) -> [u8; LEN] {
        self.mac(side, challenge, answer)
            .finalize()
            .into_bytes()
            .into()
    }

    /// True when `proof` is [`Secret::prove`]'s for these nonces (compared in constant
    /// time, so the comparison tells an attacker nothing).
    pub fn verify(&self, side: Side, challenge: &Nonce, answer: &Nonce, proof: &[u8]) -> bool {
        self.mac(side, challenge, answer)
            .verify_slice(proof)
            .is_ok()
    }

    fn mac(&self, side: Side, challenge: &Nonce, answer: &Nonce) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        let label: &[u8] = match side {
            Side::Peer => b"parallel-rust lesson 5: peer",
            Side::Scheduler => b"parallel-rust lesson 5: scheduler",
        };
        mac.update(label);
        mac.update(&challenge.0);
        mac.update(&answer.0);
        mac
    }
    // ANCHOR_END: prove
}

/// Where a scheduler listening on `addr` keeps its secret by default, and where its peers
/// look for it: `~/.parallel-rust/scheduler-05-HOST-PORT.secret`.
pub fn default_path(addr: SocketAddr) -> PathBuf {
    let host = addr.ip().to_string().replace([':', '.'], "-");
    std::env::home_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(".parallel-rust")
        .join(format!("scheduler-05-{host}-{}.secret", addr.port()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex(text: &str) -> Option<[u8; LEN]> {
    if text.len() != LEN * 2 || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0; LEN];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_checks_only_with_the_same_secret_nonces_and_side() {
        let (secret, other) = (Secret::random().unwrap(), Secret::random().unwrap());
        let (c, a) = (Nonce::random().unwrap(), Nonce::random().unwrap());
        let proof = secret.prove(Side::Peer, &c, &a);
        assert!(secret.verify(Side::Peer, &c, &a, &proof));
        assert!(!other.verify(Side::Peer, &c, &a, &proof), "another secret");
        assert!(
            !secret.verify(Side::Scheduler, &c, &a, &proof),
            "the other side"
        );
        assert!(!secret.verify(Side::Peer, &a, &c, &proof), "nonces swapped");
        assert!(
            !secret.verify(Side::Peer, &c, &a, &proof[..16]),
            "a short proof"
        );
    }

    #[test]
    fn a_saved_secret_loads_back_and_only_its_user_may_read_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/s.secret");
        let secret = Secret::random().unwrap();
        secret.save(&path).unwrap();
        assert_eq!(Secret::load(&path).unwrap(), secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let err = Secret::load(&path).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
        fs::write(&path, "not hex\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(matches!(Secret::load(&path), Err(AuthError::Malformed(_))));
        assert!(format!("{secret:?}") == "Secret(..)");
    }
}
