//! `SPARKLING_POOL` picks the pool of `Context::new()` without recompiling.
//! One test in its own binary: it changes the process environment.

use sparkling::{Context, Error};

fn set_pool_env(value: Option<&str>) {
    // SAFETY: this binary runs this single test, and no other thread reads or
    // writes the environment while it does.
    #[allow(unsafe_code)]
    unsafe {
        match value {
            Some(value) => std::env::set_var("SPARKLING_POOL", value),
            None => std::env::remove_var("SPARKLING_POOL"),
        }
    }
}

#[test]
fn the_environment_variable_switches_the_pool() {
    for (value, described) in [
        ("sequential", "sequential"),
        ("threads:4", "threads:4"),
        ("rayon:2", "rayon:2"),
        ("rayon", "rayon"),
    ] {
        set_pool_env(Some(value));
        let ctx = Context::new();
        assert_eq!(ctx.pool().describe(), described);
        assert_eq!(ctx.range(0, 100).sum().unwrap(), 4950, "{value}");
        assert_eq!(
            Context::builder().build().unwrap().pool().describe(),
            described
        );
    }

    set_pool_env(Some("quantum:9"));
    let ctx = Context::new();
    match ctx.parallelize_with(0..3, 1).count() {
        Err(Error::Config {
            name,
            value,
            reason,
        }) => {
            assert_eq!(name, "SPARKLING_POOL");
            assert_eq!(value, "quantum:9");
            assert!(reason.contains("expected sequential"), "{reason}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(matches!(
        Context::builder().build(),
        Err(Error::Config { .. })
    ));
    // A pool given in code wins over the environment.
    let explicit = Context::builder()
        .pool(std::sync::Arc::new(sparkling::pool::SequentialPool))
        .build()
        .unwrap();
    assert_eq!(explicit.parallelize_with(0..3, 1).count().unwrap(), 3);

    set_pool_env(None);
    assert_eq!(Context::new().pool().describe(), "rayon");
}
