//! `key`, `ca` and `assertion`: a profile's key and certificate, its extra CA bundle, and the
//! assertion it would send. The key itself is never printed.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use oauthdesk_core::{Algorithm, CaInfo, CertFacts, Desk, Error, KeyInfo};

use super::Out;
use crate::error::AppResult;

#[derive(Subcommand, Debug)]
pub enum KeyCommand {
    /// Make a key and a self-signed certificate for the profile (replacing its key)
    Generate {
        handle: String,
        /// rs256 (RSA, the default), ps256 (RSA) or es256 (P-256)
        #[arg(long, default_value = "rs256")]
        algorithm: String,
        /// RSA key size: 2048 (the default) or 3072
        #[arg(long)]
        bits: Option<usize>,
        /// Also write the certificate (PEM) to this file, to upload to the provider
        #[arg(long, value_name = "FILE")]
        cert_out: Option<PathBuf>,
    },
    /// Import a key: PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8; with its certificate or not) or PKCS#12
    Import {
        handle: String,
        file: PathBuf,
        /// The certificate, when it is in another file
        #[arg(long, value_name = "FILE")]
        cert: Option<PathBuf>,
        /// Read the file's password from standard input (else from the profile's
        /// p12_password_ref, when it has one)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show the certificate's subject, issuer, thumbprints and validity (never the key)
    Show { handle: String },
    /// Write the certificate (PEM) to upload to the provider
    ExportCert {
        handle: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Forget the profile's key and certificate (and the previous key, if one is kept)
    Remove { handle: String },
    /// Say the new key's certificate is uploaded to the provider: the previous key is dropped
    Uploaded { handle: String },
}

#[derive(Subcommand, Debug)]
pub enum CaCommand {
    /// Trust a PEM bundle of certificate authorities for the profile's requests, besides the system's
    Import { handle: String, file: PathBuf },
    /// Show the certificate authorities the profile trusts besides the system's
    Show { handle: String },
    /// Stop trusting the profile's extra certificate authorities
    Remove { handle: String },
}

#[derive(Args, Debug)]
pub struct AssertionArgs {
    /// The profile's handle
    pub handle: String,
}

fn read(path: &Path) -> AppResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::invalid("file", format!("cannot read {}: {e}", path.display())).into())
}

fn cert_text(s: &mut String, c: &CertFacts) {
    let _ = writeln!(s, "Subject:    {}", c.subject);
    let _ = writeln!(s, "Issuer:     {}{}", c.issuer, if c.self_signed { " (self-signed)" } else { "" });
    let _ = writeln!(s, "SHA-1:      {}", c.sha1);
    let _ = writeln!(s, "SHA-256:    {}", c.sha256);
    let _ = writeln!(s, "Not before: {}", c.not_before.to_rfc3339());
    let _ = writeln!(s, "Not after:  {}", c.not_after.to_rfc3339());
}

fn key_text(k: &KeyInfo) -> String {
    let mut s = format!("Key of '{}': {}\n", k.handle, if matches!(k.key_type, oauthdesk_core::KeyType::Rsa) { "RSA" } else { "EC P-256" });
    if let Some(r) = &k.reference {
        let _ = writeln!(
            s,
            "Read from:  {r} (the key itself is never shown; a key rotated there replaces it when the provider refuses this one)"
        );
    }
    match &k.certificate {
        Some(c) => cert_text(&mut s, c),
        None => s.push_str("No certificate: import one with the key to use mutual TLS or certificate credentials.\n"),
    }
    if let Some(p) = &k.previous {
        let was = p.certificate.as_ref().map(|c| format!(" (certificate SHA-256 {})", c.sha256)).unwrap_or_default();
        let _ = writeln!(
            s,
            "\nPrevious key kept until the new one works{was}: a token request the provider refuses with the new key is sent \
             again with the previous one. It is dropped the first time the new key gets a token, or now with: oauthdesk key uploaded {}",
            k.handle
        );
    }
    s
}

pub fn key(desk: &Desk, out: &Out, cmd: KeyCommand) -> AppResult<()> {
    match cmd {
        KeyCommand::Generate { handle, algorithm, bits, cert_out } => {
            let info = desk.key_generate(&handle, Algorithm::parse("algorithm", &algorithm)?, bits)?;
            if let Some(path) = &cert_out {
                oauthdesk_core::write_file(path, &desk.key_certificate(&handle)?)?;
            }
            out.print(&info, || {
                let mut s = key_text(&info);
                if let Some(p) = &cert_out {
                    let _ = writeln!(s, "Certificate written to {}: upload it to the provider.", p.display());
                }
                s
            });
        }
        KeyCommand::Import { handle, file, cert, password_stdin } => {
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                Some(zeroize::Zeroizing::new(s.trim_end_matches(['\r', '\n']).to_string()))
            } else {
                None
            };
            let cert = cert.as_deref().map(read).transpose()?;
            // Without a typed password, the profile's p12_password_ref (if any) gives it.
            let bytes = read(&file)?;
            let info = super::block_on(desk.key_import_with_references(
                &handle,
                &bytes,
                cert.as_deref(),
                password.as_deref().map(|p| p.as_str()),
            ))??;
            out.print(&info, || key_text(&info));
        }
        KeyCommand::Show { handle } => {
            let info = super::block_on(desk.key_show_with_references(&handle))??;
            out.print(&info, || key_text(&info));
        }
        KeyCommand::ExportCert { handle, output } => {
            let pem = desk.key_certificate(&handle)?;
            match output {
                Some(path) => oauthdesk_core::write_file(&path, &pem)?,
                None => super::emit(&pem),
            }
        }
        KeyCommand::Uploaded { handle } => {
            let dropped = desk.key_confirm(&handle)?;
            out.print(&serde_json::json!({ "ok": true, "dropped_previous": dropped }), || {
                if dropped {
                    format!("Dropped the previous key of '{handle}': its token requests sign with the new key alone.")
                } else {
                    format!("'{handle}' kept no previous key: nothing to drop.")
                }
            });
        }
        KeyCommand::Remove { handle } => {
            let removed = desk.key_remove(&handle)?;
            out.print(&serde_json::json!({ "ok": true, "removed": removed }), || {
                if removed {
                    format!("Removed the key of '{handle}'.")
                } else {
                    format!("'{handle}' had no key.")
                }
            });
        }
    }
    Ok(())
}

fn ca_text(c: &CaInfo) -> String {
    let mut s = format!(
        "'{}' trusts {} certificate authorit{} besides the system's.\n",
        c.handle,
        c.certificates.len(),
        if c.certificates.len() == 1 { "y" } else { "ies" }
    );
    for cert in &c.certificates {
        s.push('\n');
        cert_text(&mut s, cert);
    }
    s
}

pub fn ca(desk: &Desk, out: &Out, cmd: CaCommand) -> AppResult<()> {
    match cmd {
        CaCommand::Import { handle, file } => {
            let info = desk.ca_import(&handle, &read(&file)?)?;
            out.print(&info, || ca_text(&info));
        }
        CaCommand::Show { handle } => {
            let info = desk.ca_show(&handle)?;
            out.print(&info, || ca_text(&info));
        }
        CaCommand::Remove { handle } => {
            let removed = desk.ca_remove(&handle)?;
            out.print(&serde_json::json!({ "ok": true, "removed": removed }), || {
                if removed {
                    format!("'{handle}' trusts the system's certificate authorities only.")
                } else {
                    format!("'{handle}' had no CA bundle.")
                }
            });
        }
    }
    Ok(())
}

pub fn assertion(desk: &Desk, out: &Out, a: AssertionArgs) -> AppResult<()> {
    let u = desk.assertion(&a.handle)?;
    out.print(&u, || {
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        format!("Header:\n{}\nClaims:\n{}\n(signature omitted)\n", pretty(&u.header), pretty(&u.claims))
    });
    Ok(())
}
