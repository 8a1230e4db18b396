//! The only code that talks to the gateway: `api` (HTTP requests and their failures), `live` (the
//! websocket, its reconnects and the one-second clock) and `session` (who is signed in, and the one
//! place a 401 turns into "signed out"). Each holds or feeds `model` types; none prints anything.

pub(crate) mod api;
pub(crate) mod live;
pub(crate) mod session;
