//! The domain crate's one integration-test binary.

mod purity;
