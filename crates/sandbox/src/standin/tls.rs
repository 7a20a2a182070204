//! https for the scenarios: a server certificate (one no system trusts shows the "unknown
//! authority" finding), and mutual TLS as RFC 8705 describes it. A lenient server asks for a
//! client certificate and lets the token endpoint judge it (as servers that answer
//! `invalid_client` do); a strict one ends the handshake without a trusted certificate.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::WebPkiClientVerifier;
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::{Scenarios, Tls};
use crate::http;
use crate::reply::ClientCert;
use crate::Error;

/// A TLS handshake that takes longer than this is given up.
const HANDSHAKE: Duration = Duration::from_secs(10);

fn tls_error(what: &str) -> impl Fn(String) -> Error + '_ {
    move |e| Error::Tls(format!("{what}: {e}"))
}

fn certificates(pem: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    CertificateDer::pem_slice_iter(pem.as_bytes()).collect::<Result<Vec<_>, _>>().map_err(|e| tls_error("certificate")(e.to_string()))
}

/// Accepts any client certificate in the handshake when lenient (the token endpoint then
/// judges it), and only a trusted one when strict; either way the handshake's signature is
/// checked, so a certificate presented is one the client holds the key of.
#[derive(Debug)]
struct ClientCerts {
    trusted: Arc<dyn ClientCertVerifier>,
    strict: bool,
}

impl ClientCertVerifier for ClientCerts {
    fn client_auth_mandatory(&self) -> bool {
        self.strict
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.trusted.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        match self.trusted.verify_client_cert(end_entity, intermediates, now) {
            Err(e) if self.strict => Err(e),
            _ => Ok(ClientCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.trusted.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.trusted.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.trusted.supported_verify_schemes()
    }
}

/// The handshake, and the verifier that tells a trusted client certificate (mutual TLS).
pub(super) struct Acceptor {
    tls: TlsAcceptor,
    trusted: Option<Arc<dyn ClientCertVerifier>>,
}

/// The acceptor for `tls`, `None` for plain http.
pub(super) fn acceptor(tls: &Tls) -> Result<Option<Acceptor>, Error> {
    let (cert, key, ca, strict) = match tls {
        Tls::None => return Ok(None),
        Tls::Server { cert, key } => (cert, key, None, false),
        Tls::Mutual { cert, key, ca, strict } => (cert, key, Some(ca), *strict),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("protocol versions")(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes()).map_err(|e| tls_error("key")(e.to_string()))?;
    let (builder, trusted) = match ca {
        None => (builder.with_no_client_auth(), None),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in certificates(ca)? {
                roots.add(c).map_err(|e| tls_error("CA")(e.to_string()))?;
            }
            let trusted = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| tls_error("CA")(e.to_string()))?;
            let verifier = Arc::new(ClientCerts { trusted: trusted.clone(), strict });
            (builder.with_client_cert_verifier(verifier), Some(trusted))
        }
    };
    let mut config = builder.with_single_cert(certificates(cert)?, key).map_err(|e| tls_error("certificate")(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Acceptor { tls: TlsAcceptor::from(Arc::new(config)), trusted }))
}

/// What the client's certificate says, judged by `trusted`.
fn client_cert(chain: &[CertificateDer<'_>], trusted: &dyn ClientCertVerifier) -> Option<ClientCert> {
    let (first, rest) = chain.split_first()?;
    let common_name = x509_parser::parse_x509_certificate(first)
        .ok()
        .and_then(|(_, c)| c.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_string));
    let trusted = trusted.verify_client_cert(first, rest, UnixTime::now()).is_ok();
    Some(ClientCert { common_name, trusted })
}

/// Serves https until `stop` turns true.
pub(super) async fn serve(
    listener: TcpListener,
    Acceptor { tls: acceptor, trusted }: Acceptor,
    scenarios: Arc<Scenarios>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let Ok((stream, peer)): Result<(_, SocketAddr), _> = accepted else { continue };
        let (acceptor, trusted, scenarios, stop) = (acceptor.clone(), trusted.clone(), scenarios.clone(), stop.clone());
        tokio::spawn(async move {
            let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await else { return };
            let cert = match (stream.get_ref().1.peer_certificates(), &trusted) {
                (Some(chain), Some(trusted)) => client_cert(chain, trusted.as_ref()),
                _ => None,
            };
            http::connection(stream, peer, cert, scenarios, stop).await;
        });
    }
}
