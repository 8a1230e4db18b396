//! What every handler can reach. Cheap to clone: everything is behind an `Arc`.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::hub::Hub;
use crate::sweeper::SweepTrigger;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub hub: Arc<Hub>,
    pub sweep: SweepTrigger,
    /// How often sockets get a heartbeat.
    pub heartbeat: Duration,
}
