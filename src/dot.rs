//! The lineage as a Graphviz DOT graph ([`Rdd::to_dot`](crate::Rdd::to_dot)):
//! the RDDs of each stage in a box of their own, shuffles as dashed edges
//! between stages, persisted RDDs shaded. Stages are numbered upstream
//! first, the result stage last, as Spark numbers them.

use std::collections::HashMap;
use std::fmt::Write;

use crate::plan::{Dependency, Lineage};

/// One RDD of the graph.
struct RddNode {
    label: String,
    partitions: usize,
    persisted: bool,
    /// Index of its stage, in the order stages were found from the root.
    stage: usize,
}

/// The RDDs, stages and edges found by walking the lineage from the root.
#[derive(Default)]
struct Graph {
    nodes: HashMap<usize, RddNode>,
    /// The RDD ids in the order they were found.
    order: Vec<usize>,
    stages: usize,
    /// `(parent, child, is_shuffle)`.
    edges: Vec<(usize, usize, bool)>,
}

impl Graph {
    fn visit(&mut self, rdd: &dyn Lineage, stage: usize) {
        let id = rdd.id();
        if self.nodes.contains_key(&id) {
            return;
        }
        self.nodes.insert(
            id,
            RddNode {
                label: rdd.describe(),
                partitions: rdd.num_partitions(),
                persisted: rdd.is_persisted(),
                stage,
            },
        );
        self.order.push(id);
        for dependency in rdd.dependencies() {
            let parent = dependency.parent().as_ref();
            let is_shuffle = matches!(dependency, Dependency::Shuffle(_));
            let parent_stage = if is_shuffle && !self.nodes.contains_key(&parent.id()) {
                self.stages += 1;
                self.stages - 1
            } else {
                stage
            };
            self.edges.push((parent.id(), id, is_shuffle));
            self.visit(parent, parent_stage);
        }
    }
}

/// Renders the lineage of `root` as DOT.
pub(crate) fn lineage_dot(root: &dyn Lineage) -> String {
    let mut graph = Graph {
        stages: 1,
        ..Graph::default()
    };
    graph.visit(root, 0);
    // Found from the root, so the result stage came first: number upstream
    // stages first instead.
    let number = |stage: usize| graph.stages - 1 - stage;
    let mut out =
        String::from("digraph lineage {\n  rankdir=BT;\n  node [shape=box, style=rounded];\n");
    for stage in (0..graph.stages).rev() {
        let _ = writeln!(out, "  subgraph cluster_stage_{} {{", number(stage));
        let _ = writeln!(out, "    label=\"stage {}\";", number(stage));
        for id in graph
            .order
            .iter()
            .filter(|id| graph.nodes[*id].stage == stage)
        {
            let node = &graph.nodes[id];
            let label = escape(&format!("{}\n{} partitions", node.label, node.partitions));
            let shade = if node.persisted {
                ", style=\"rounded,filled\", fillcolor=\"#c6dbef\""
            } else {
                ""
            };
            let _ = writeln!(out, "    rdd_{id} [label=\"{label}\"{shade}];");
        }
        out.push_str("  }\n");
    }
    for (parent, child, is_shuffle) in &graph.edges {
        let style = if *is_shuffle {
            " [style=dashed, label=\"shuffle\"]"
        } else {
            ""
        };
        let _ = writeln!(out, "  rdd_{parent} -> rdd_{child}{style};");
    }
    out.push_str("}\n");
    out
}

/// Quotes `text` for a DOT string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
