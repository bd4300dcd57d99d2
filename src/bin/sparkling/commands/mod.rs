//! One module per subcommand: its arguments and its run.

pub mod convert;
pub mod count;
pub mod freq;
pub mod grep;
pub mod head;
pub mod json;
pub mod ls;
pub mod sample;
pub mod stats;
pub mod wordcount;
