//! The quantiles the approximate actions' bounds need: Poisson, normal and
//! Student's t, from the regularized incomplete gamma and beta functions.

/// Relative precision the series and continued fractions stop at.
const EPSILON: f64 = 1e-15;
/// Iterations allowed to the series and continued fractions: enough for
/// means up to about 10^12, whose terms converge in some √mean steps.
const MAX_ITERATIONS: usize = 10_000_000;
/// Tiny value that keeps the continued fractions away from division by zero.
const TINY: f64 = 1e-300;

/// `ln Γ(x)` for `x > 0` (Lanczos' approximation, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the approximation in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series = COEFFICIENTS[1..]
        .iter()
        .enumerate()
        .fold(COEFFICIENTS[0], |sum, (i, c)| {
            sum + c / (x + i as f64 + 1.0)
        });
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// The regularized upper incomplete gamma function `Q(a, x)`, `a > 0`.
fn upper_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut term = 1.0 / a;
        let mut sum = term;
        for n in 1..MAX_ITERATIONS {
            term *= x / (a + n as f64);
            sum += term;
            if term.abs() < sum.abs() * EPSILON {
                break;
            }
        }
        1.0 - sum * log_prefix.exp()
    } else {
        // Continued fraction for Q(a, x), evaluated by Lentz's method.
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut fraction = d;
        for n in 1..MAX_ITERATIONS {
            let an = -(n as f64) * (n as f64 - a);
            b += 2.0;
            d = an * d + b;
            d = if d.abs() < TINY { TINY } else { d };
            c = b + an / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            let delta = d * c;
            fraction *= delta;
            if (delta - 1.0).abs() < EPSILON {
                break;
            }
        }
        fraction * log_prefix.exp()
    }
}

/// The regularized incomplete beta function `I_x(a, b)`.
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    let log_prefix = a * x.ln() + b * (1.0 - x).ln() + ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b);
    // Continued fraction, evaluated by Lentz's method.
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    d = if d.abs() < TINY { TINY } else { d };
    d = 1.0 / d;
    let mut fraction = d;
    for m in 1..MAX_ITERATIONS {
        let m = m as f64;
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        let odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        for coefficient in [even, odd] {
            d = 1.0 + coefficient * d;
            d = if d.abs() < TINY { TINY } else { d };
            c = 1.0 + coefficient / c;
            c = if c.abs() < TINY { TINY } else { c };
            d = 1.0 / d;
            fraction *= d * c;
        }
        if (d * c - 1.0).abs() < EPSILON {
            break;
        }
    }
    log_prefix.exp() * fraction / a
}

/// `P(X <= k)` for `X ~ Poisson(mean)`.
fn poisson_cdf(mean: f64, k: u64) -> f64 {
    upper_gamma(k as f64 + 1.0, mean)
}

/// The smallest `k` with `P(X <= k) >= probability`, `X ~ Poisson(mean)`.
pub(crate) fn poisson_quantile(mean: f64, probability: f64) -> u64 {
    let mut high = mean.ceil().max(1.0) as u64;
    while poisson_cdf(mean, high) < probability {
        high = high.saturating_mul(2);
    }
    let mut low = 0;
    // Invariant: the answer lies in low..=high.
    while low < high {
        let middle = low + (high - low) / 2;
        if poisson_cdf(mean, middle) >= probability {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

/// `P(Z <= z)` for a standard normal `Z`: `erfc(-z/√2) / 2`.
fn normal_cdf(z: f64) -> f64 {
    let half_square = z * z / 2.0;
    let tail = 0.5 * upper_gamma(0.5, half_square);
    if z >= 0.0 { 1.0 - tail } else { tail }
}

/// `P(T <= t)` for Student's t with `degrees` degrees of freedom.
fn student_t_cdf(t: f64, degrees: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(degrees / (degrees + t * t), degrees / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The `z` with `cdf(z) == probability`, for an increasing `cdf` over the
/// reals and a probability in (0.5, 1): bisection to the last bit.
fn upper_quantile(cdf: impl Fn(f64) -> f64, probability: f64) -> f64 {
    let (mut low, mut high) = (0.0f64, 1.0f64);
    while cdf(high) < probability {
        low = high;
        high *= 2.0;
    }
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if middle <= low || middle >= high {
            break;
        }
        if cdf(middle) < probability {
            low = middle;
        } else {
            high = middle;
        }
    }
    (low + high) / 2.0
}

/// The standard normal quantile of `probability`, in (0.5, 1).
pub(crate) fn normal_quantile(probability: f64) -> f64 {
    upper_quantile(normal_cdf, probability)
}

/// Student's t quantile of `probability`, in (0.5, 1).
pub(crate) fn student_t_quantile(degrees: u64, probability: f64) -> f64 {
    upper_quantile(|t| student_t_cdf(t, degrees as f64), probability)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
    }

    #[test]
    fn normal_quantiles_match_known_values() {
        assert!(close(normal_quantile(0.975), 1.959_963_984_540_054));
        assert!(close(normal_quantile(0.95), 1.644_853_626_951_472_2));
        assert!(close(normal_quantile(0.995), 2.575_829_303_548_901));
    }

    #[test]
    fn student_t_quantiles_match_the_closed_forms() {
        for probability in [0.6, 0.9, 0.975, 0.9995] {
            // One degree of freedom is Cauchy's distribution.
            let cauchy = (std::f64::consts::PI * (probability - 0.5)).tan();
            assert!(
                close(student_t_quantile(1, probability), cauchy),
                "{probability}"
            );
            let two = (2.0 * probability - 1.0) / (2.0 * probability * (1.0 - probability)).sqrt();
            assert!(
                close(student_t_quantile(2, probability), two),
                "{probability}"
            );
        }
        // Many degrees of freedom approach the normal distribution.
        assert!((student_t_quantile(100_000, 0.975) - normal_quantile(0.975)).abs() < 1e-4);
    }

    /// The quantile straight from the definition: sum the probabilities.
    fn poisson_quantile_model(mean: f64, probability: f64) -> u64 {
        let mut term = (-mean).exp();
        let mut cumulative = term;
        let mut k = 0;
        while cumulative < probability {
            k += 1;
            term *= mean / k as f64;
            cumulative += term;
        }
        k
    }

    #[test]
    fn poisson_quantiles_match_summed_probabilities() {
        for mean in [0.01, 0.5, 1.0, 3.7, 10.0, 42.5, 150.0, 600.0] {
            for probability in [0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975] {
                assert_eq!(
                    poisson_quantile(mean, probability),
                    poisson_quantile_model(mean, probability),
                    "mean {mean}, probability {probability}"
                );
            }
        }
    }

    #[test]
    fn large_poisson_quantiles_approach_the_normal_ones() {
        let mean = 1e9;
        let high = poisson_quantile(mean, 0.975) as f64;
        let expected = mean + normal_quantile(0.975) * mean.sqrt();
        assert!((high - expected).abs() < 2.0, "{high} vs {expected}");
    }
}
