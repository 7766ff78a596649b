//! `needs:` across a lab's checks: every id names a check of the lab, a check does not need
//! itself, and no chain of needs comes back to where it started (reported once, at the
//! entry that closes the cycle).

use super::decode::Ctx;
use super::decode::check::Needs;
use super::diag::nearest;
use crate::model::Check;

pub fn check(ctx: &mut Ctx, checks: &[Check], needs: &[Needs]) {
    let ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
    let index = |id: &str| ids.iter().position(|i| *i == id);
    // The edges that exist, by index; unknown ids are reported and left out.
    let mut edges: Vec<Vec<(usize, crate::course::yaml::Pos)>> = vec![Vec::new(); checks.len()];
    for (i, list) in needs.iter().enumerate() {
        for (id, pos) in list {
            match index(id) {
                Some(j) if j == i => {
                    ctx.error(*pos, format!("check \"{id}\" needs itself"));
                }
                Some(j) => edges[i].push((j, *pos)),
                None => {
                    let d = ctx.error(
                        *pos,
                        format!(
                            "check \"{}\" needs \"{id}\", which is not a check of this lab",
                            ids[i]
                        ),
                    );
                    if let Some(near) = nearest(id, &ids) {
                        d.suggestion = Some(format!("did you mean \"{near}\"?"));
                    }
                }
            }
        }
    }
    // Depth-first, in lab order: an edge to a check still on the path closes a cycle.
    let mut state = vec![0u8; checks.len()]; // 0 new, 1 on the path, 2 done
    let mut path = Vec::new();
    for start in 0..checks.len() {
        visit(ctx, start, &edges, &mut state, &mut path, &ids);
    }
}

fn visit(
    ctx: &mut Ctx,
    i: usize,
    edges: &[Vec<(usize, crate::course::yaml::Pos)>],
    state: &mut [u8],
    path: &mut Vec<usize>,
    ids: &[&str],
) {
    if state[i] != 0 {
        return;
    }
    state[i] = 1;
    path.push(i);
    for (j, pos) in &edges[i] {
        match state[*j] {
            0 => visit(ctx, *j, edges, state, path, ids),
            1 => {
                let from = path.iter().position(|p| p == j).unwrap_or(0);
                let mut cycle: Vec<&str> = path[from..].iter().map(|k| ids[*k]).collect();
                cycle.push(ids[*j]);
                ctx.error(
                    *pos,
                    format!(
                        "these checks need each other in a circle: {}",
                        cycle.join(" → ")
                    ),
                )
                .help = Some("a check can only need checks that do not need it back".into());
            }
            _ => {}
        }
    }
    path.pop();
    state[i] = 2;
}
