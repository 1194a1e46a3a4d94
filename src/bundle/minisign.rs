//! minisign's file formats, read and written without its binary: the public key, the
//! unencrypted secret key (`minisign -G -W`), and the prehashed ("ED") signature that
//! `minisign -Vm FILE -p KEY.pub` verifies. Ed25519 (ed25519-dalek) over BLAKE2b-512 of the
//! file; the global signature covers the signature and the trusted comment.
//!
//! Every line is read strictly (exact prefixes, canonical base64, `\n` endings, nothing
//! after the last line): a signature file that would still verify after a change of one byte
//! in its untrusted comment is refused, so that no byte of a bundle goes unchecked.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use blake2::{Blake2b512, Digest, digest::consts::U32};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

type Blake2b256 = blake2::Blake2b<U32>;

/// The signature algorithm of keys: Ed25519.
const SIG_ALG: [u8; 2] = *b"Ed";
/// The prehashed signature algorithm: Ed25519 over BLAKE2b-512 of the file.
const PREHASHED: [u8; 2] = *b"ED";
const CHK_ALG: [u8; 2] = *b"B2";
/// No key derivation: the secret key is stored as it is (`minisign -W`).
const KDF_NONE: [u8; 2] = [0, 0];
const SECRET_LEN: usize = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;
/// The untrusted comment netaccept writes in a signature, and the only one it accepts.
pub const SIG_COMMENT: &str = "untrusted comment: signature from netaccept secret key";

/// A minisign key id: 8 bytes, shown as minisign shows it (the bytes read as a
/// little-endian number, 16 upper-case hex digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016X}", u64::from_le_bytes(self.0))
    }
}

/// A public key, as `NAME.pub` holds it.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub id: KeyId,
    key: VerifyingKey,
}

/// An unencrypted secret key, as `NAME.key` holds it.
pub struct SecretKey {
    pub id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

/// A signature file's parts.
#[derive(Debug)]
pub struct SigFile {
    pub key_id: KeyId,
    signature: Signature,
    pub trusted_comment: String,
    global: Signature,
}

/// Why a key or signature file cannot be read, or a signature does not hold.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

fn bad(s: impl Into<String>) -> FormatError {
    FormatError(s.into())
}

/// The lines of a file: exactly `n`, each ending with `\n`, nothing after.
fn lines(text: &str, n: usize) -> Result<Vec<&str>, FormatError> {
    let body = text
        .strip_suffix('\n')
        .ok_or_else(|| bad("the last line does not end with a newline"))?;
    let lines: Vec<&str> = body.split('\n').collect();
    if lines.len() != n {
        return Err(bad(format!("{} lines where {n} are expected", lines.len())));
    }
    if lines.iter().any(|l| l.contains('\r')) {
        return Err(bad("a carriage return in a line"));
    }
    Ok(lines)
}

fn b64(line: &str, len: usize, what: &str) -> Result<Vec<u8>, FormatError> {
    let bytes = STANDARD
        .decode(line)
        .map_err(|e| bad(format!("{what}: not base64 ({e})")))?;
    if bytes.len() != len {
        return Err(bad(format!(
            "{what}: {} bytes where {len} are expected",
            bytes.len()
        )));
    }
    Ok(bytes)
}

fn key_id(bytes: &[u8]) -> KeyId {
    KeyId(bytes.try_into().expect("8 bytes"))
}

impl PublicKey {
    pub fn parse(text: &str) -> Result<PublicKey, FormatError> {
        let l = lines(text, 2)?;
        if !l[0].starts_with("untrusted comment: ") {
            return Err(bad("the first line is not `untrusted comment: …`"));
        }
        let b = b64(l[1], 42, "the key")?;
        if b[..2] != SIG_ALG {
            return Err(bad("not an Ed25519 minisign public key"));
        }
        let key = VerifyingKey::from_bytes(b[10..].try_into().expect("32 bytes"))
            .map_err(|e| bad(format!("not an Ed25519 public key: {e}")))?;
        Ok(PublicKey {
            id: key_id(&b[2..10]),
            key,
        })
    }

    pub fn read(path: &Path) -> Result<PublicKey, FormatError> {
        let text = read_text(path)?;
        PublicKey::parse(&text).map_err(|e| bad(format!("{}: {e}", path.display())))
    }

    /// The file's text, as minisign writes it.
    pub fn to_file(&self) -> String {
        let mut b = SIG_ALG.to_vec();
        b.extend_from_slice(&self.id.0);
        b.extend_from_slice(self.key.as_bytes());
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.id,
            STANDARD.encode(b)
        )
    }

    /// Checks a signature of `data`: the prehashed signature, then the global one over the
    /// signature and the trusted comment. Strict Ed25519 (no malleable encodings), as
    /// libsodium verifies.
    pub fn verify(&self, data: &[u8], sig: &SigFile) -> Result<(), FormatError> {
        if sig.key_id != self.id {
            return Err(bad(format!(
                "signed with key {}, not key {}",
                sig.key_id, self.id
            )));
        }
        let hash = Blake2b512::digest(data);
        self.key
            .verify_strict(&hash, &sig.signature)
            .map_err(|_| bad("the signature does not match SHA256SUMS"))?;
        let mut global = sig.signature.to_bytes().to_vec();
        global.extend_from_slice(sig.trusted_comment.as_bytes());
        self.key
            .verify_strict(&global, &sig.global)
            .map_err(|_| bad("the trusted comment's signature does not match"))
    }
}

fn read_text(path: &Path) -> Result<String, FormatError> {
    let bytes = std::fs::read(path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|_| bad(format!("{}: not UTF-8 text", path.display())))
}

impl SecretKey {
    /// A new key pair from the system's random source, with a random key id, as `minisign
    /// -G` makes one.
    pub fn generate() -> Result<SecretKey, FormatError> {
        let mut seed = [0u8; 32];
        let mut id = [0u8; 8];
        getrandom::fill(&mut seed)
            .and_then(|()| getrandom::fill(&mut id))
            .map_err(|e| bad(format!("no random bytes: {e}")))?;
        Ok(SecretKey {
            id: KeyId(id),
            key: SigningKey::from_bytes(&seed),
        })
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The checksum minisign keeps beside the key: BLAKE2b-256 of the algorithm, key id
    /// and secret key.
    fn checksum(&self, sk: &[u8; 64]) -> [u8; 32] {
        let mut h = Blake2b256::new();
        h.update(SIG_ALG);
        h.update(self.id.0);
        h.update(sk);
        h.finalize().into()
    }

    /// The file's text: minisign's secret key format, unencrypted (KDF `\0\0`, salt and
    /// limits zero), with its checksum.
    pub fn to_file(&self) -> String {
        let sk = self.key.to_keypair_bytes();
        let mut b = Vec::with_capacity(SECRET_LEN);
        b.extend_from_slice(&SIG_ALG);
        b.extend_from_slice(&KDF_NONE);
        b.extend_from_slice(&CHK_ALG);
        b.extend_from_slice(&[0u8; 32 + 8 + 8]);
        b.extend_from_slice(&self.id.0);
        b.extend_from_slice(&sk);
        b.extend_from_slice(&self.checksum(&sk));
        format!(
            "untrusted comment: minisign secret key {} (unencrypted)\n{}\n",
            self.id,
            STANDARD.encode(b)
        )
    }

    pub fn parse(text: &str) -> Result<SecretKey, FormatError> {
        let l = lines(text, 2)?;
        if !l[0].starts_with("untrusted comment: ") {
            return Err(bad("the first line is not `untrusted comment: …`"));
        }
        let b = b64(l[1], SECRET_LEN, "the secret key")?;
        if b[..2] != SIG_ALG || b[4..6] != CHK_ALG {
            return Err(bad("not an Ed25519 minisign secret key"));
        }
        if b[2..4] != KDF_NONE {
            return Err(bad(
                "an encrypted secret key: netaccept signs with unencrypted keys \
                 (`netaccept keygen`, or `minisign -G -W`)",
            ));
        }
        let id = key_id(&b[54..62]);
        let sk: [u8; 64] = b[62..126].try_into().expect("64 bytes");
        let key = SigningKey::from_keypair_bytes(&sk)
            .map_err(|_| bad("the secret key does not match its public half"))?;
        let key = SecretKey { id, key };
        // minisign 0.11 leaves the checksum of an unencrypted key zero; any other value must
        // be the right one.
        let chk = &b[126..];
        if chk.iter().any(|&c| c != 0) && chk != key.checksum(&sk) {
            return Err(bad("the secret key's checksum does not match"));
        }
        Ok(key)
    }

    pub fn read(path: &Path) -> Result<SecretKey, FormatError> {
        let text = read_text(path)?;
        SecretKey::parse(&text).map_err(|e| bad(format!("{}: {e}", path.display())))
    }

    /// A signature file of `data` with this trusted comment (one line: line breaks become
    /// spaces).
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> String {
        let tc: String = trusted_comment
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        let sig = self.key.sign(&Blake2b512::digest(data));
        let mut global = sig.to_bytes().to_vec();
        global.extend_from_slice(tc.as_bytes());
        let global = self.key.sign(&global);
        let mut first = PREHASHED.to_vec();
        first.extend_from_slice(&self.id.0);
        first.extend_from_slice(&sig.to_bytes());
        format!(
            "{SIG_COMMENT}\n{}\ntrusted comment: {tc}\n{}\n",
            STANDARD.encode(first),
            STANDARD.encode(global.to_bytes())
        )
    }
}

impl SigFile {
    /// Reads a signature file as netaccept writes it: its fixed untrusted comment, the
    /// prehashed algorithm only.
    pub fn parse(text: &str) -> Result<SigFile, FormatError> {
        let l = lines(text, 4)?;
        if l[0] != SIG_COMMENT {
            return Err(bad(format!(
                "the first line is not `{SIG_COMMENT}`, the one netaccept writes"
            )));
        }
        let b = b64(l[1], 74, "the signature")?;
        if b[..2] != PREHASHED {
            return Err(bad(
                "not a prehashed (ED) Ed25519 signature, the kind netaccept writes",
            ));
        }
        let trusted_comment = l[2]
            .strip_prefix("trusted comment: ")
            .ok_or_else(|| bad("the third line is not `trusted comment: …`"))?
            .to_string();
        let global = b64(l[3], 64, "the trusted comment's signature")?;
        Ok(SigFile {
            key_id: key_id(&b[2..10]),
            signature: Signature::from_bytes(b[10..].try_into().expect("64 bytes")),
            trusted_comment,
            global: Signature::from_bytes(global[..].try_into().expect("64 bytes")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pair_reads_back_and_signs_what_its_public_half_verifies() {
        let k = SecretKey::generate().unwrap();
        let k2 = SecretKey::parse(&k.to_file()).unwrap();
        assert_eq!(k2.id, k.id);
        let p = PublicKey::parse(&k.public().to_file()).unwrap();
        let sig = SigFile::parse(&k2.sign(b"data", "netaccept run x")).unwrap();
        assert_eq!(sig.trusted_comment, "netaccept run x");
        p.verify(b"data", &sig).unwrap();
        assert!(p.verify(b"datb", &sig).is_err());
        let other = SecretKey::generate().unwrap().public();
        assert!(other.verify(b"data", &sig).is_err());
    }

    /// A key file written by Debian's `minisign -G -W` (0.11: the checksum left zero).
    #[test]
    fn reads_a_key_minisign_wrote() {
        let sk = "untrusted comment: minisign encrypted secret key\nRWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAG6OOkwIoBt1KzSJfmOM8geiFcr+bPKJcZGLjdQPQnydJg77xcOzGZ1lkg4zsyx5JwPs5dAPewf156WIjXdCzrsCoB0VHxlozAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let pk = "untrusted comment: minisign public key DD062802938EA31B\nRWQbo46TAigG3Vlkg4zsyx5JwPs5dAPewf156WIjXdCzrsCoB0VHxloz\n";
        let k = SecretKey::parse(sk).unwrap();
        assert_eq!(k.id.to_string(), "DD062802938EA31B");
        assert_eq!(k.public().to_file(), pk);
    }
}
