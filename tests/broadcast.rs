//! Broadcast values read inside tasks on every pool, and Spark's lifecycle:
//! `unpersist` keeps the value readable, `destroy` makes later reads fail
//! the action with an error naming the RDD and partition.

mod common;

use std::collections::HashMap;

use common::{contexts, partition_counts};
use sparkling::Error;

#[test]
fn tasks_read_the_broadcast_value_on_every_pool() {
    let table: HashMap<u32, String> = (0..50).map(|k| (k, format!("v{k}"))).collect();
    let keys: Vec<u32> = (0..50).rev().collect();
    let model: Vec<String> = keys.iter().map(|k| table[k].clone()).collect();
    for (pool, ctx) in contexts() {
        let shared = ctx.broadcast(table.clone());
        for n in partition_counts(keys.len()) {
            let looked_up = ctx.parallelize_with(keys.clone(), n).map({
                let shared = shared.clone();
                move |k| shared.value()[&k].clone()
            });
            assert_eq!(looked_up.collect().unwrap(), model, "{pool}, {n}");
        }
    }
}

#[test]
fn clones_share_one_value() {
    let ctx = sparkling::Context::new();
    let shared = ctx.broadcast(vec![1u8; 1 << 20]);
    let clone = shared.clone();
    assert!(std::ptr::eq(shared.value(), clone.value()));
    assert_eq!(clone.id(), shared.id());
}

#[test]
fn unpersist_keeps_the_value_and_destroy_fails_later_tasks() {
    for (pool, ctx) in contexts() {
        let factor = ctx.broadcast(3);
        let scaled = ctx.parallelize_with(1..=4, 2).map({
            let factor = factor.clone();
            move |x| x * *factor
        });
        factor.unpersist();
        assert_eq!(scaled.collect().unwrap(), [3, 6, 9, 12], "{pool}");
        let id = factor.id();
        factor.destroy();
        match scaled.collect() {
            Err(Error::Task { rdd, message, .. }) => {
                assert!(rdd.starts_with("map["), "{pool}: {rdd}");
                assert_eq!(
                    message,
                    format!("broadcast {id} was used after it was destroyed")
                );
            }
            other => panic!("{pool}: {other:?}"),
        }
        // The Context stays usable.
        assert_eq!(ctx.parallelize_with(0..3, 2).count().unwrap(), 3);
    }
}

#[test]
fn debug_shows_the_id_and_value() {
    let ctx = sparkling::Context::new();
    let shared = ctx.broadcast("hello");
    assert_eq!(
        format!("{shared:?}"),
        format!("Broadcast {{ id: {}, value: \"hello\" }}", shared.id())
    );
}
