//! Timing runs and printing the aligned tables every solution program ends with.
//!
//! Machines are noisy, so a figure is the median of several runs and comparisons are ratios
//! measured in the same run. Units: 1 MB = 10^6 bytes, as disk and network rates are quoted.

mod catch;
mod comparison;
mod format;
mod table;
mod timing;

pub use catch::*;
pub use comparison::*;
pub use format::*;
pub use table::*;
pub use timing::*;

#[cfg(test)]
mod tests;
