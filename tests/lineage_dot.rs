//! `Rdd::to_dot` rendered by the real Graphviz `dot`: the SVG has one node
//! per RDD of the lineage, and one box per stage.

use std::io::Write;
use std::process::{Command, Stdio};

use sparkling::Context;

fn render_svg(dot: &str) -> String {
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(err) => panic!(
            "cannot run Graphviz's `dot` ({err}): install it with `apt-get install -y graphviz`"
        ),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "dot failed on:\n{dot}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_svg_has_a_node_per_rdd_and_a_cluster_per_stage() {
    let ctx = Context::new();
    let words = ctx.parallelize_with(["a b", "b c"], 2);
    let counts = words
        .flat_map(|line: &str| line.split(' ').map(str::to_string).collect::<Vec<_>>())
        .map(|word| (word, 1))
        .cache()
        .reduce_by_key(|a, b| a + b);
    let other = ctx.parallelize_with([("a".to_string(), 'x')], 1);
    let joined = counts.join(&other).map(|(word, (count, _))| (word, count));
    let dot = joined.to_dot();
    let svg = render_svg(&dot);
    let rdds = [words.id(), counts.id(), other.id(), joined.id()];
    let nodes = svg.matches("class=\"node\"").count();
    let ids_in_plan = joined.to_debug_string().lines().count();
    assert_eq!(nodes, ids_in_plan, "{dot}");
    for id in rdds {
        assert!(
            svg.contains(&format!("<title>rdd_{id}</title>")),
            "rdd {id} missing:\n{svg}"
        );
    }
    // Two shuffle stages (the reduce's and the join's map sides) and the
    // result stage; the cached RDD is shaded.
    assert_eq!(svg.matches("class=\"cluster\"").count(), 3, "{dot}");
    assert_eq!(dot.matches("fillcolor").count(), 1, "{dot}");
    assert!(svg.contains("shuffle"));
}
