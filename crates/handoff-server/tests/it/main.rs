//! The server in-process (`app` driven with `oneshot`), each test on its own temporary database.

mod accounts;
mod bad_requests;
mod binary;
mod commands;
mod fuzz;
mod journal;
mod logging;
mod socket;
mod socket_properties;
mod support;
mod visibility;
mod workspace;
