//! The order of elements in sorts, `max`/`min`, `top` and `take_ordered`.
//!
//! Every operation that orders elements takes `T: PartialOrd` and compares
//! with [`total_cmp`], so that `f64` and `f32` RDDs have `max()`,
//! `sort_by_key()` and the rest, ordered as Spark orders doubles
//! (`java.lang.Double.compare`): `-inf < ... < -0.0 < 0.0 < ... < inf < NaN`,
//! every NaN equal to every other. Other types keep their own order; a value
//! not equal to itself (a NaN inside a tuple, say) sorts after every value
//! it cannot be compared with.

use std::any::Any;
use std::cmp::Ordering;

/// Compares two values in the total order described in the module docs.
///
/// For `f64` and `f32` the check is on the type, resolved when the
/// function is compiled for it: other types pay nothing for it.
pub(crate) fn total_cmp<T: PartialOrd + 'static>(a: &T, b: &T) -> Ordering {
    let (any_a, any_b): (&dyn Any, &dyn Any) = (a, b);
    if let (Some(x), Some(y)) = (any_a.downcast_ref::<f64>(), any_b.downcast_ref::<f64>()) {
        return java_double_compare(*x, *y);
    }
    if let (Some(x), Some(y)) = (any_a.downcast_ref::<f32>(), any_b.downcast_ref::<f32>()) {
        return java_double_compare(f64::from(*x), f64::from(*y));
    }
    match a.partial_cmp(b) {
        Some(ordering) => ordering,
        None => incomparable(a, b),
    }
}

/// `java.lang.Double.compare`: `-0.0` before `0.0`, NaN last and equal to
/// every NaN.
fn java_double_compare(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.total_cmp(&y),
    }
}

/// Orders two values that `partial_cmp` cannot: a value not equal to
/// itself (NaN-like) goes last.
#[allow(clippy::eq_op)]
fn incomparable<T: PartialOrd>(a: &T, b: &T) -> Ordering {
    let a_nan = a != a;
    let b_nan = b != b;
    a_nan.cmp(&b_nan)
}

/// `total_cmp` reversed when `ascending` is false.
pub(crate) fn directed_cmp<T: PartialOrd + 'static>(a: &T, b: &T, ascending: bool) -> Ordering {
    if ascending {
        total_cmp(a, b)
    } else {
        total_cmp(b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_follow_java_compare() {
        let mut values = [
            f64::NAN,
            1.0,
            -0.0,
            f64::INFINITY,
            0.0,
            f64::NEG_INFINITY,
            -1.0,
        ];
        values.sort_by(total_cmp);
        let shown: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(shown, ["-inf", "-1.0", "-0.0", "0.0", "1.0", "inf", "NaN"]);
        assert_eq!(total_cmp(&f64::NAN, &-f64::NAN), Ordering::Equal);
        assert_eq!(total_cmp(&f32::NAN, &f32::INFINITY), Ordering::Greater);
        assert_eq!(total_cmp(&-0.0f32, &0.0f32), Ordering::Less);
    }

    #[test]
    fn other_types_keep_their_order_and_nan_like_values_go_last() {
        assert_eq!(total_cmp(&"a", &"b"), Ordering::Less);
        assert_eq!(total_cmp(&(1, 2), &(1, 1)), Ordering::Greater);
        assert_eq!(total_cmp(&(f64::NAN, 1), &(5.0, 1)), Ordering::Greater);
        assert_eq!(total_cmp(&(5.0, 1), &(f64::NAN, 1)), Ordering::Less);
        assert_eq!(directed_cmp(&1, &2, false), Ordering::Greater);
    }
}
