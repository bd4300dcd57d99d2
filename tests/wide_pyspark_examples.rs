//! The examples of PySpark's RDD documentation for the wide operations give
//! the same results here, on every built-in pool (compared without order
//! where Spark's order is unspecified, as the PySpark examples do with
//! `sorted`).

mod common;

use std::collections::{BTreeSet, HashMap};

use common::contexts;
use sparkling::FnPartitioner;

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort();
    items
}

#[test]
fn aggregations_by_key() {
    for (pool, sc) in contexts() {
        let rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 1)]);
        let expected = [("a", 2), ("b", 1)];
        assert_eq!(
            sorted(rdd.reduce_by_key(|a, b| a + b).collect().unwrap()),
            expected,
            "{pool}"
        );
        assert_eq!(
            sorted(rdd.fold_by_key(0, |a, b| a + b).collect().unwrap()),
            expected
        );
        let counts = rdd.count_by_key().unwrap();
        assert_eq!(sorted(counts.into_iter().collect()), [("a", 2), ("b", 1)]);
        let local = rdd.reduce_by_key_locally(|a, b| a + b).unwrap();
        assert_eq!(sorted(local.into_iter().collect()), expected);
        let lengths = rdd.group_by_key().map_values(|values| values.len());
        assert_eq!(sorted(lengths.collect().unwrap()), [("a", 2), ("b", 1)]);
        assert_eq!(
            sorted(rdd.group_by_key().collect().unwrap()),
            [("a", vec![1, 1]), ("b", vec![1])]
        );

        let rdd = sc.parallelize([("a", 1), ("b", 1), ("a", 2)]);
        let aggregated = rdd.aggregate_by_key(
            (0, 0),
            |x: (i32, i32), y| (x.0 + y, x.1 + 1),
            |x, y| (x.0 + y.0, x.1 + y.1),
        );
        assert_eq!(
            sorted(aggregated.collect().unwrap()),
            [("a", (3, 2)), ("b", (1, 1))]
        );
        let combined = rdd.combine_by_key(
            |a| vec![a],
            |mut a, b| {
                a.push(b);
                a
            },
            |mut a, b| {
                a.extend(b);
                a
            },
        );
        assert_eq!(
            sorted(combined.collect().unwrap()),
            [("a", vec![1, 2]), ("b", vec![1])]
        );

        let result = sc
            .parallelize([1, 1, 2, 3, 5, 8])
            .group_by(|x| x % 2)
            .collect()
            .unwrap();
        let result: Vec<(i32, Vec<i32>)> =
            sorted(result.into_iter().map(|(k, v)| (k, sorted(v))).collect());
        assert_eq!(result, [(0, vec![2, 8]), (1, vec![1, 1, 3, 5])]);

        let n = sc
            .parallelize(0..1000)
            .map(|x| x.to_string())
            .count_approx_distinct()
            .unwrap();
        assert!(900 < n && n < 1100);
        let n = sc
            .parallelize((0..1000).map(|i| i % 20))
            .count_approx_distinct()
            .unwrap();
        assert!(16 < n && n < 24);
    }
}

#[test]
fn keys_values_and_maps() {
    for (pool, sc) in contexts() {
        let m = sc.parallelize([(1, 2), (3, 4)]);
        assert_eq!(m.keys().collect().unwrap(), [1, 3], "{pool}");
        assert_eq!(m.values().collect().unwrap(), [2, 4]);
        let map = m.collect_as_map().unwrap();
        assert_eq!((map[&1], map[&3]), (2, 4));

        let x = sc.parallelize([
            ("a", vec!["apple", "banana", "lemon"]),
            ("b", vec!["grapes"]),
        ]);
        assert_eq!(
            x.map_values(|fruits| fruits.len()).collect().unwrap(),
            [("a", 3), ("b", 1)]
        );
        let x = sc.parallelize([("a", vec!["x", "y", "z"]), ("b", vec!["p", "r"])]);
        assert_eq!(
            x.flat_map_values(|x| x).collect().unwrap(),
            [("a", "x"), ("a", "y"), ("a", "z"), ("b", "p"), ("b", "r")]
        );

        let l = 0..1000;
        let rdd = sc.parallelize_with(l.clone().zip(l), 10);
        assert_eq!(rdd.lookup(&42).unwrap(), [42]);
        let sorted_rdd = rdd.sort_by_key();
        assert_eq!(sorted_rdd.lookup(&42).unwrap(), [42]);
        assert_eq!(sorted_rdd.lookup(&1024).unwrap(), Vec::<i32>::new());
        let rdd2 = sc.parallelize([(("a", "b"), "c")]).group_by_key();
        assert_eq!(rdd2.lookup(&("a", "b")).unwrap()[0], ["c"]);
    }
}

#[test]
fn joins_and_cogroups() {
    for (pool, sc) in contexts() {
        let x = sc.parallelize([("a", 1), ("b", 4)]);
        let y = sc.parallelize([("a", 2), ("a", 3)]);
        assert_eq!(
            sorted(x.join(&y).collect().unwrap()),
            [("a", (1, 2)), ("a", (1, 3))],
            "{pool}"
        );

        let y = sc.parallelize([("a", 2)]);
        assert_eq!(
            sorted(x.left_outer_join(&y).collect().unwrap()),
            [("a", (1, Some(2))), ("b", (4, None))]
        );
        assert_eq!(
            sorted(y.right_outer_join(&x).collect().unwrap()),
            [("a", (Some(2), 1)), ("b", (None, 4))]
        );
        assert_eq!(
            sorted(x.cogroup(&y).collect().unwrap()),
            [("a", (vec![1], vec![2])), ("b", (vec![4], vec![]))]
        );

        let y = sc.parallelize([("a", 2), ("c", 8)]);
        assert_eq!(
            sorted(x.full_outer_join(&y).collect().unwrap()),
            [
                ("a", (Some(1), Some(2))),
                ("b", (Some(4), None)),
                ("c", (None, Some(8)))
            ]
        );

        let w = sc.parallelize([("a", 5), ("b", 6)]);
        let y = sc.parallelize([("a", 2)]);
        assert_eq!(
            sorted(w.cogroup3(&x, &y).collect().unwrap()),
            [
                ("a", (vec![5], vec![1], vec![2])),
                ("b", (vec![6], vec![4], vec![]))
            ]
        );

        let x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 2)]);
        let y = sc.parallelize([("a", Some(3)), ("c", None)]);
        assert_eq!(
            sorted(x.subtract_by_key(&y).collect().unwrap()),
            [("b", 4), ("b", 5)]
        );
        let x = sc.parallelize([("a", 1), ("b", 4), ("b", 5), ("a", 3)]);
        let y = sc.parallelize([("a", 3), ("c", 0)]);
        assert_eq!(
            sorted(x.subtract(&y).collect().unwrap()),
            [("a", 1), ("b", 4), ("b", 5)]
        );
    }
}

#[test]
fn sorts() {
    for (pool, sc) in contexts() {
        let tmp = vec![("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)];
        let all = [("1", 3), ("2", 5), ("a", 1), ("b", 2), ("d", 4)];
        assert_eq!(
            sc.parallelize(tmp.clone()).sort_by_key().first().unwrap(),
            ("1", 3),
            "{pool}"
        );
        assert_eq!(
            sc.parallelize(tmp.clone())
                .sort_by_key_with(1)
                .collect()
                .unwrap(),
            all
        );
        assert_eq!(
            sc.parallelize(tmp.clone())
                .sort_by_key_with(2)
                .collect()
                .unwrap(),
            all
        );
        let mut tmp2 = vec![
            ("Mary", 1),
            ("had", 2),
            ("a", 3),
            ("little", 4),
            ("lamb", 5),
        ];
        tmp2.extend([("whose", 6), ("fleece", 7), ("was", 8), ("white", 9)]);
        // PySpark's `keyfunc=lambda k: k.lower()` is a sort by a computed key.
        let by_lower = sc
            .parallelize(tmp2)
            .sort_by_with(|(k, _)| k.to_lowercase(), 3);
        assert_eq!(
            by_lower.collect().unwrap(),
            [
                ("a", 3),
                ("fleece", 7),
                ("had", 2),
                ("lamb", 5),
                ("little", 4),
                ("Mary", 1),
                ("was", 8),
                ("white", 9),
                ("whose", 6)
            ]
        );
        assert_eq!(
            sc.parallelize(tmp.clone())
                .sort_by(|x| x.0)
                .collect()
                .unwrap(),
            all
        );
        assert_eq!(
            sc.parallelize(tmp).sort_by(|x| x.1).collect().unwrap(),
            [("a", 1), ("b", 2), ("1", 3), ("d", 4), ("2", 5)]
        );

        let rdd = sc.parallelize([(0, 5), (3, 8), (2, 6), (0, 8), (3, 8), (1, 3)]);
        let rdd2 = rdd.repartition_and_sort_within_partitions(FnPartitioner::new(2, |x: &i32| {
            (x % 2) as usize
        }));
        assert_eq!(
            rdd2.glom().collect().unwrap(),
            [vec![(0, 5), (0, 8), (2, 6)], vec![(1, 3), (3, 8), (3, 8)]]
        );
    }
}

#[test]
fn partitioning() {
    for (pool, sc) in contexts() {
        let pairs = sc.parallelize([1, 2, 3, 4, 2, 4, 1]).map(|x| (x, x));
        let sets = pairs.partition_by(2).glom().collect().unwrap();
        let first: BTreeSet<_> = sets[0].iter().collect();
        let second: BTreeSet<_> = sets[1].iter().collect();
        assert_eq!(first.intersection(&second).count(), 0, "{pool}");

        let rdd = sc.parallelize_with([1, 2, 3, 4, 5, 6, 7], 4);
        assert_eq!(
            sorted(rdd.glom().collect().unwrap()),
            [vec![1], vec![2, 3], vec![4, 5], vec![6, 7]]
        );
        assert_eq!(rdd.repartition(2).glom().collect().unwrap().len(), 2);
        assert_eq!(rdd.repartition(10).glom().collect().unwrap().len(), 10);

        let rdd = sc.parallelize_with([1, 2, 3, 4, 5], 3);
        assert_eq!(
            rdd.glom().collect().unwrap(),
            [vec![1], vec![2, 3], vec![4, 5]]
        );
        assert_eq!(
            rdd.repartition(1).glom().collect().unwrap(),
            [vec![1, 2, 3, 4, 5]]
        );
    }
}

#[test]
fn set_operations_zips_and_splits() {
    for (pool, sc) in contexts() {
        assert_eq!(
            sorted(sc.parallelize([1, 1, 2, 3]).distinct().collect().unwrap()),
            [1, 2, 3],
            "{pool}"
        );
        let rdd1 = sc.parallelize([1, 10, 2, 3, 4, 5]);
        let rdd2 = sc.parallelize([1, 6, 2, 3, 7, 8]);
        assert_eq!(
            sorted(rdd1.intersection(&rdd2).collect().unwrap()),
            [1, 2, 3]
        );
        let rdd = sc.parallelize([1, 2]);
        assert_eq!(
            sorted(rdd.cartesian(&rdd).collect().unwrap()),
            [(1, 1), (1, 2), (2, 1), (2, 2)]
        );

        let x = sc.parallelize(0..5);
        let y = sc.parallelize(1000..1005);
        assert_eq!(
            x.zip(&y).collect().unwrap(),
            [(0, 1000), (1, 1001), (2, 1002), (3, 1003), (4, 1004)]
        );
        assert_eq!(
            sc.parallelize_with(["a", "b", "c", "d"], 3)
                .zip_with_index()
                .collect()
                .unwrap(),
            [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
        );

        let rdd = sc.parallelize_with(0..500, 1);
        let splits = rdd.random_split_with(&[2.0, 3.0], 17);
        let (rdd1, rdd2) = (&splits[0], &splits[1]);
        assert_eq!(
            rdd1.collect().unwrap().len() + rdd2.collect().unwrap().len(),
            500
        );
        let (count1, count2) = (rdd1.count().unwrap(), rdd2.count().unwrap());
        assert!(150 < count1 && count1 < 250, "{count1}");
        assert!(250 < count2 && count2 < 350, "{count2}");

        let fractions = HashMap::from([("a", 0.2), ("b", 0.1)]);
        let rdd = sc
            .parallelize(["a", "b"])
            .cartesian(&sc.parallelize(0..1000));
        let sample: HashMap<&str, Vec<i32>> = rdd
            .sample_by_key_with(fractions, sparkling::SampleOptions::new().seed(2))
            .group_by_key()
            .collect_as_map()
            .unwrap();
        assert!(100 < sample["a"].len() && sample["a"].len() < 300);
        assert!(50 < sample["b"].len() && sample["b"].len() < 150);
        assert!(sample["a"].iter().all(|x| (0..1000).contains(x)));
        assert!(sample["b"].iter().all(|x| (0..1000).contains(x)));
    }
}
