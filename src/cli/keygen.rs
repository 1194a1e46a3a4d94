//! `netaccept keygen`: a minisign key pair for signing bundles, `NAME.key` (unencrypted, as
//! `minisign -G -W` writes it, mode 0600 from its creation) and `NAME.pub`. It never replaces
//! a file: a key lost by overwriting cannot be made again.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::args::KeygenArgs;
use crate::bundle::SecretKey;
use crate::error::Error;
use crate::exit::Exit;

pub fn keygen(args: &KeygenArgs) -> Result<Exit, Error> {
    let (key_path, pub_path) = (
        args.output.join(format!("{}.key", args.name)),
        args.output.join(format!("{}.pub", args.name)),
    );
    for p in [&key_path, &pub_path] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(Error::KeyExists { path: p.clone() });
        }
    }
    std::fs::create_dir_all(&args.output).map_err(|source| Error::CreateOutput {
        dir: args.output.clone(),
        source,
    })?;
    let key = SecretKey::generate().map_err(|e| Error::Output(std::io::Error::other(e)))?;
    create(&key_path, &key.to_file(), 0o600)?;
    create(&pub_path, &key.public().to_file(), 0o644)?;
    super::say(&format!(
        "key {}: secret key {} (keep it on the probe host, mode 0600), public key {}\n",
        key.id,
        key_path.display(),
        pub_path.display()
    ));
    Ok(Exit::Ok)
}

/// Creates a new file (never through an existing name or symlink) with this mode.
fn create(path: &Path, text: &str, mode: u32) -> Result<(), Error> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::KeyExists {
                path: path.to_path_buf(),
            },
            _ => Error::Output(e),
        })?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(Error::Output)
}
