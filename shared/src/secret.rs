//! A shared secret, and the proofs of holding it that lesson 5's handshake and lesson 6's
//! connections exchange.
//!
//! As ipyparallel and Jupyter do it: one program makes a random secret (or reads one), keeps
//! it in a file only its user can read, and every peer that connects must prove it knows the
//! secret. The proof is an HMAC-SHA256 of two random nonces, one from each side, under a
//! label that names the side proving, so the secret never crosses the wire, a recorded
//! handshake cannot be replayed, and one side's proof cannot stand for the other's.
//!
//! What it does not do: encrypt. Anyone who can read the traffic reads the tasks and the
//! results. Across machines, put the connections in an SSH tunnel or a VPN, or add TLS.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Where the course's programs keep their secrets by default: `~/.parallel-rust` (the
/// temporary folder where there is no home).
pub fn default_folder() -> PathBuf {
    std::env::home_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(".parallel-rust")
}

/// Bytes of a secret, a nonce and a proof.
pub const LEN: usize = 32;

/// A random value used once per handshake.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nonce(pub [u8; LEN]);

impl Nonce {
    /// A fresh nonce from the operating system's generator.
    pub fn random() -> Result<Nonce, SecretError> {
        let mut bytes = [0; LEN];
        getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
        Ok(Nonce(bytes))
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nonce({})", hex(&self.0[..4]))
    }
}

/// The secret a cluster's programs share. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// What can go wrong with a secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot make a random secret: {0}")]
    Random(String),
    #[error("cannot read the secret {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error(
        "{0} is not a secret file: it must hold {LEN} bytes as {hex} hex digits (the program \
         that made it wrote them; copy it whole)",
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
    pub fn random() -> Result<Secret, SecretError> {
        Nonce::random().map(|n| Secret(n.0))
    }

    /// Reads a secret file, refusing one that other users can read (as ssh does), and
    /// anything that is not a small regular file (`--secret-file /dev/zero` would read for
    /// ever).
    pub fn load(path: &Path) -> Result<Secret, SecretError> {
        use std::io::Read as _;
        let read = |e| SecretError::Read(path.into(), e);
        // Before opening: opening a FIFO waits for a writer.
        if !fs::metadata(path).map_err(read)?.is_file() {
            return Err(SecretError::Malformed(path.into()));
        }
        let file = fs::File::open(path).map_err(read)?;
        // And of the file opened: the path may name another since.
        let metadata = file.metadata().map_err(read)?;
        if !metadata.is_file() {
            return Err(SecretError::Malformed(path.into()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = metadata.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(SecretError::Exposed(path.into(), mode & 0o777));
            }
        }
        // The hex digits and a line end, with room for spaces and a Windows line end.
        let most = (LEN * 2 + 16) as u64;
        let mut bytes = Vec::new();
        (file.take(most + 1).read_to_end(&mut bytes)).map_err(read)?;
        let text = std::str::from_utf8(&bytes).ok();
        let Some(text) = text.filter(|_| bytes.len() as u64 <= most) else {
            return Err(SecretError::Malformed(path.into()));
        };
        parse_hex(text.trim())
            .map(Secret)
            .ok_or_else(|| SecretError::Malformed(path.into()))
    }

    /// Writes the secret to `path`, readable and writable by this user only, in a folder
    /// made for it if needed (also this user's only). The file appears whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), SecretError> {
        let partial = self.write_beside(path)?;
        fs::rename(&partial, path).map_err(|e| {
            let _ = fs::remove_file(&partial);
            SecretError::Write(path.into(), e)
        })
    }

    /// Writes the secret to a new file of this user's only, beside `path` (making its
    /// folder, also this user's only, if needed), and returns the file's path: a name of its
    /// own, so that programs writing at once do not write into each other's file.
    fn write_beside(&self, path: &Path) -> Result<PathBuf, SecretError> {
        let error = |e| SecretError::Write(path.into(), e);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(error)?;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tag = hex(&Nonce::random()?.0[..4]);
        let partial = path.with_file_name(format!(".{name}.{}-{tag}.partial", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&partial).map_err(error)?;
        let written = file
            .write_all(format!("{}\n", hex(&self.0)).as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = fs::remove_file(&partial);
            return Err(error(e));
        }
        Ok(partial)
    }

    /// The secret in `path`, or a new one written there if there is no such file; `true`
    /// when it is new. Programs started together on one machine may all call this at once:
    /// the first to link its file in place wins, and the others read that one.
    pub fn load_or_create(path: &Path) -> Result<(Secret, bool), SecretError> {
        if path.exists() {
            return Secret::load(path).map(|s| (s, false));
        }
        let error = |e| SecretError::Write(path.into(), e);
        let secret = Secret::random()?;
        let mine = secret.write_beside(path)?;
        let linked = fs::hard_link(&mine, path);
        let made = match linked {
            Ok(()) => Ok((secret, true)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Secret::load(path).map(|s| (s, false))
            }
            // A file system without hard links (FAT, some network mounts): a rename, as
            // `save` does. Two programs making one at the same instant may then keep
            // different secrets; their proofs fail, and they say so.
            Err(_) => fs::rename(&mine, path)
                .map(|()| (secret, true))
                .map_err(error),
        };
        let _ = fs::remove_file(&mine);
        made
    }

    // ANCHOR: prove
    /// The proof that the side called `label` holds this secret, for the nonces of one
    /// handshake: the `challenge` of the side that accepted the connection and the
    /// `answer` of the side that made it.
    pub fn prove(&self, label: impl AsRef<str>, challenge: &Nonce, answer: &Nonce) -> [u8; LEN] {
        self.mac(label, challenge, answer)
            .finalize()
            .into_bytes()
            .into()
    }

    /// True when `proof` is [`Secret::prove`]'s for this label and these nonces (compared
    /// in constant time, so the comparison tells an attacker nothing).
    pub fn verify(
        &self,
        label: impl AsRef<str>,
        challenge: &Nonce,
        answer: &Nonce,
        proof: &[u8],
    ) -> bool {
        self.mac(label, challenge, answer)
            .verify_slice(proof)
            .is_ok()
    }

    fn mac(&self, label: impl AsRef<str>, challenge: &Nonce, answer: &Nonce) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label.as_ref().as_bytes());
        mac.update(&challenge.0);
        mac.update(&answer.0);
        mac
    }
    // ANCHOR_END: prove
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
        let proof = secret.prove("peer", &c, &a);
        assert!(secret.verify("peer", &c, &a, &proof));
        assert!(!other.verify("peer", &c, &a, &proof), "another secret");
        assert!(
            !secret.verify("scheduler", &c, &a, &proof),
            "the other side"
        );
        assert!(!secret.verify("peer", &a, &c, &proof), "nonces swapped");
        assert!(
            !secret.verify("peer", &c, &a, &proof[..16]),
            "a short proof"
        );
    }

    #[test]
    fn programs_that_create_a_secret_at_once_all_get_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/cluster.secret");
        let made: Vec<(Secret, bool)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| Secret::load_or_create(&path).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            made.iter().filter(|(_, new)| *new).count(),
            1,
            "one made it"
        );
        assert!(
            made.iter().all(|(s, _)| *s == made[0].0),
            "all read the same"
        );
        assert_eq!(
            Secret::load_or_create(&path).unwrap(),
            (made[0].0.clone(), false)
        );
        let left: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "no partial file is left behind");
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
        assert!(matches!(
            Secret::load(&path),
            Err(SecretError::Malformed(_))
        ));
        // A secret followed by a megabyte is no secret file, and is not read whole.
        fs::write(
            &path,
            format!("{}\n{}", hex(&secret.0), "0".repeat(1 << 20)),
        )
        .unwrap();
        assert!(matches!(
            Secret::load(&path),
            Err(SecretError::Malformed(_))
        ));
        // Nor is one that is not text.
        fs::write(&path, [0xff; 64]).unwrap();
        assert!(matches!(
            Secret::load(&path),
            Err(SecretError::Malformed(_))
        ));
        // Nor is a folder, or a device that never ends.
        assert!(matches!(
            Secret::load(dir.path()),
            Err(SecretError::Malformed(_))
        ));
        #[cfg(unix)]
        {
            assert!(matches!(
                Secret::load(Path::new("/dev/zero")),
                Err(SecretError::Malformed(_))
            ));
            let fifo = dir.path().join("fifo.secret");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a FIFO");
            // Opened, it would wait for a writer for ever.
            assert!(matches!(
                Secret::load(&fifo),
                Err(SecretError::Malformed(_))
            ));
        }
        assert!(format!("{secret:?}") == "Secret(..)");
    }
}
