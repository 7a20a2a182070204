//! The device sign-in (RFC 8628): the codes are shown to the user, and the token endpoint is
//! polled as the provider asks until the user approves, declines, or the codes expire.
//! Polls that are still pending are not attempts of the profile's; the token comes through
//! the grant pipeline like any other.

use std::time::{Duration, Instant};

use super::tokens::Token;
use super::Desk;
use crate::error::{Error, Result};
use crate::flows::device::{self, DeviceStart};
use crate::flows::exchange::Grant;
use crate::flows::gate::Endpoint;
use crate::flows::record::Recorder;

impl Desk {
    /// The device sign-in (see [`Desk::sign_in`]): hands the codes to `on_start`, then polls
    /// until the user is done, `timeout` passes or the codes expire. Cancelling drops the
    /// wait (see [`Desk::cancellable`]).
    pub(super) async fn authorize_device(&self, handle: &str, timeout: Duration, on_start: impl FnOnce(&DeviceStart)) -> Result<Token> {
        self.check_origins(handle, &[Endpoint::DeviceAuthorization, Endpoint::Token])?;
        self.ensure_references(handle).await?;
        let (id, cfg) = self.flow_config(handle)?;
        self.require_key(handle, &cfg)?;
        let secret = self.client_secret(handle)?;
        let mut log = Recorder::default();
        let started = device::start(&cfg, secret.as_ref(), &mut log).await;
        let (device_code, start) = match started {
            Ok(s) => s,
            Err(e) => {
                self.save_attempts(id, &mut log)?;
                return Err(e);
            }
        };
        on_start(&start);
        // The wait ends at the caller's timeout, or sooner when the codes expire: no interval
        // the provider names (or adds with `slow_down`) and no poll outlasts it.
        let wait = timeout.min(Duration::from_secs(start.expires_in)).min(device::MAX_WAIT);
        let deadline = Instant::now() + wait;
        let timed_out =
            || Error::Timeout { stage: crate::model::Stage::Authorize, host: "the device sign-in".into(), secs: wait.as_secs().max(1) };
        let mut interval = Duration::from_secs(start.interval);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            tokio::time::sleep(interval.min(left)).await;
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            let grant = Grant::DeviceCode { device_code: device_code.clone() };
            let polled = tokio::time::timeout(left, self.obtain(id, &cfg, secret.as_ref(), grant, &mut log)).await;
            let Ok(polled) = polled else { return Err(timed_out()) };
            match polled {
                Ok(token) => return Ok(token),
                // RFC 8628 §3.5: slow down adds 5 seconds to every later poll.
                Err(Error::OAuth { error, .. }) if error == "slow_down" => {
                    interval = (interval + Duration::from_secs(5)).min(Duration::from_secs(60))
                }
                Err(Error::OAuth { error, .. }) if error == "authorization_pending" => {}
                Err(e) => return Err(e),
            }
        }
    }
}
