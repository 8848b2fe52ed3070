// A build script, so that cargo also applies the package's [build-dependencies]: the
// features that build scripts and proc-macros see are unified too.
fn main() {}
