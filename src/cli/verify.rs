//! `netaccept verify DIR [--key PUB]`: a bundle's files against its manifest, and its
//! signature against the key. Exit 0 when it holds; 2 with each problem named.

use super::args::VerifyArgs;
use crate::bundle::{self, BundleError, Keys};
use crate::error::Error;
use crate::exit::Exit;

pub fn verify(args: &VerifyArgs) -> Result<Exit, Error> {
    let keys = match &args.key {
        Some(k) => Keys::one(k)?,
        None => Keys::none(),
    };
    let shown = args.dir.display().to_string();
    let dir = crate::diag::visible::line(&shown);
    match bundle::verify(&args.dir, &keys) {
        Ok(v) => {
            let signature = match (&v.signer, &v.unchecked_signer) {
                (Some(id), _) => format!(
                    "signed by key {id} ({})",
                    crate::diag::visible::line(v.trusted_comment.as_deref().unwrap_or(""))
                ),
                (None, Some(id)) => {
                    format!("signed by key {id}, not checked: give its public key with --key")
                }
                (None, None) => "unsigned".into(),
            };
            super::say(&format!(
                "ok: {dir}: {} files match {}; {signature}\nmanifest sha256 {}\n",
                v.files,
                bundle::SUMS,
                v.manifest_sha256
            ));
            Ok(Exit::Ok)
        }
        // Without a key, an unsigned bundle whose files match is what was asked for.
        Err(BundleError::Unsigned {
            manifest_sha256, ..
        }) if keys.is_empty() => {
            super::say(&format!(
                "ok: {dir}: every file matches {}; unsigned\nmanifest sha256 {manifest_sha256}\n",
                bundle::SUMS
            ));
            Ok(Exit::Ok)
        }
        Err(e) => Err(e.into()),
    }
}
