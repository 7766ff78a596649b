//! A lab's stack as a plan: the images, networks, volumes and containers to make, each
//! with its engine name, labels and create body (see `spec`), what it depends on, and a
//! config hash so that a second start keeps what has not changed.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use bollard::models::ContainerCreateBody;
use sha2::{Digest, Sha256};

use super::error::EngineError;
use super::labels;
use super::spec::create_body;
use crate::model::{DependencyCondition, Lab, PullPolicy, Service};

/// Everything `lab start` will make for one lab in one project.
#[derive(Debug, Clone)]
pub struct Plan {
    pub course: String,
    pub lab: String,
    pub project: String,
    pub lab_dir: PathBuf,
    pub images: Vec<ImagePlan>,
    pub networks: Vec<NetworkPlan>,
    pub volumes: Vec<VolumePlan>,
    pub containers: Vec<ContainerPlan>,
}

#[derive(Debug, Clone)]
pub struct ImagePlan {
    pub name: String,
    pub pull_policy: PullPolicy,
    pub build: Option<BuildPlan>,
}

#[derive(Debug, Clone)]
pub struct BuildPlan {
    pub service: String,
    pub context: PathBuf,
    pub dockerfile: String,
    pub args: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct VolumePlan {
    pub name: String,
    pub driver: Option<String>,
    pub labels: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct ContainerPlan {
    pub service: String,
    /// Which replica, for a service with replicas.
    pub replica: Option<u32>,
    pub name: String,
    pub body: ContainerCreateBody,
    /// Networks beyond the first (API 1.41 takes one at create): name and aliases.
    pub extra_networks: Vec<(String, Vec<String>)>,
    /// Of the create body and networks: a change means the container is recreated.
    pub hash: String,
    pub depends_on: Vec<(usize, DependencyCondition)>,
    /// What dependents wait for before they start.
    pub ready_when: Readiness,
    /// How long `lab stop` lets it shut down (stop_grace_period), when set.
    pub stop_grace: Option<std::time::Duration>,
}

impl ContainerPlan {
    /// How messages name it: the service, with the replica's number when it has one.
    pub fn display(&self) -> String {
        match self.replica {
            Some(n) => format!("{}-{n}", self.service),
            None => self.service.clone(),
        }
    }
}

/// The strongest condition any dependent asks of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Readiness {
    Started,
    Healthy,
    Completed,
}

/// The engine name of a stack resource.
pub fn scoped(project: &str, name: &str) -> String {
    format!("{project}-{name}")
}

/// The container of replica `n` of a service (Compose's `<project>-<service>-<n>`): its
/// name also resolves on the lab's networks.
pub fn replica_name(project: &str, service: &str, n: u32) -> String {
    scoped(project, &format!("{service}-{n}"))
}

/// Plan a lab's stack. `env` is the environment values without a value in the stack take.
pub fn plan(lab: &Lab, course: &str, project: &str) -> Result<Plan, EngineError> {
    let stack = lab.stack.clone().unwrap_or_default();
    let base_labels = |extra: &[(&str, &str)]| -> HashMap<String, String> {
        let mut l = HashMap::new();
        l.insert(labels::COURSE.to_string(), course.to_string());
        l.insert(labels::LAB.to_string(), lab.id.clone());
        l.insert(labels::PROJECT.to_string(), project.to_string());
        for (k, v) in extra {
            l.insert(k.to_string(), v.to_string());
        }
        l
    };

    let needs_default = stack
        .services
        .iter()
        .any(|s| s.networks.is_empty() && s.network_mode.is_none())
        || stack
            .services
            .iter()
            .any(|s| s.networks.iter().any(|n| n.name == "default"));
    let mut networks = Vec::new();
    if needs_default {
        networks.push(NetworkPlan {
            name: scoped(project, "default"),
            driver: None,
            internal: false,
            labels: base_labels(&[]),
        });
    }
    for n in &stack.networks {
        let mut l = base_labels(&[]);
        l.extend(n.labels.iter().cloned());
        networks.push(NetworkPlan {
            name: scoped(project, &n.name),
            driver: n.driver.clone(),
            internal: n.internal,
            labels: l,
        });
    }
    let volumes = stack
        .volumes
        .iter()
        .map(|v| {
            let mut l = base_labels(&[]);
            l.extend(v.labels.iter().cloned());
            VolumePlan {
                name: scoped(project, &v.name),
                driver: v.driver.clone(),
                labels: l,
            }
        })
        .collect();

    let mut images: Vec<ImagePlan> = Vec::new();
    let mut containers = Vec::new();
    for s in &stack.services {
        let image = image_name(s, project);
        if !images.iter().any(|i| i.name == image) {
            images.push(ImagePlan {
                name: image.clone(),
                pull_policy: s.pull_policy,
                build: s.build.as_ref().map(|b| BuildPlan {
                    service: s.name.clone(),
                    context: lab.dir.join(&b.context),
                    dockerfile: b.dockerfile.clone().unwrap_or_else(|| "Dockerfile".into()),
                    args: b.args.iter().cloned().collect(),
                }),
            });
        }
        // One container, or one per replica (`<project>-<service>-N`, labelled with N).
        let copies: Vec<Option<u32>> = match s.replicas {
            Some(n) => (1..=n).map(Some).collect(),
            None => vec![None],
        };
        for replica in copies {
            let number = replica.map(|n| n.to_string());
            let mut extra = vec![(labels::SERVICE, s.name.as_str())];
            if let Some(n) = &number {
                extra.push((labels::REPLICA, n.as_str()));
            }
            let mut l = base_labels(&extra);
            l.extend(s.labels.iter().cloned());
            if let Some(g) = s.stop_grace_period {
                l.insert(
                    labels::STOP_GRACE.to_string(),
                    g.0.as_secs().max(1).to_string(),
                );
            }
            let (body, extra_networks) = create_body(s, &image, project, &lab.dir, l)?;
            let hash = config_hash(&body, &extra_networks);
            let mut body = body;
            if let Some(l) = body.labels.as_mut() {
                l.insert(labels::CONFIG_HASH.to_string(), hash.clone());
            }
            let name = match (&s.container_name, replica) {
                (_, Some(n)) => replica_name(project, &s.name, n),
                (Some(c), None) => c.clone(),
                (None, None) => scoped(project, &s.name),
            };
            containers.push(ContainerPlan {
                service: s.name.clone(),
                replica,
                name,
                body,
                extra_networks,
                hash,
                depends_on: Vec::new(),
                ready_when: Readiness::Started,
                stop_grace: s.stop_grace_period.map(|d| d.0),
            });
        }
    }
    // Dependencies by index (every replica of what a service depends on), and what each
    // service must reach before its dependents start.
    let mut index: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in containers.iter().enumerate() {
        index.entry(c.service.as_str()).or_default().push(i);
    }
    let index: BTreeMap<String, Vec<usize>> =
        index.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for s in &stack.services {
        for d in &s.depends_on {
            // The loader checks these; a plan made from a model built otherwise checks again.
            let Some(deps) = index.get(d.service.as_str()) else {
                return Err(EngineError::InvalidLab {
                    service: s.name.clone(),
                    message: format!(
                        "depends on \"{}\", which the stack does not have",
                        d.service
                    ),
                });
            };
            let want = match d.condition {
                DependencyCondition::ServiceStarted => Readiness::Started,
                DependencyCondition::ServiceHealthy => Readiness::Healthy,
                DependencyCondition::ServiceCompletedSuccessfully => Readiness::Completed,
            };
            for &i in index.get(s.name.as_str()).into_iter().flatten() {
                for &j in deps {
                    containers[i].depends_on.push((j, d.condition));
                }
            }
            for &j in deps {
                containers[j].ready_when = containers[j].ready_when.max(want);
            }
        }
    }
    // Each service waits for its dependencies: a cycle would wait forever.
    if let Some(i) = in_a_cycle(&containers) {
        return Err(EngineError::InvalidLab {
            service: containers[i].service.clone(),
            message: "its depends_on leads back to itself (a dependency cycle)".into(),
        });
    }
    Ok(Plan {
        course: course.to_string(),
        lab: lab.id.clone(),
        project: project.to_string(),
        lab_dir: lab.dir.clone(),
        images,
        networks,
        volumes,
        containers,
    })
}

/// Compose's naming (LAB_FORMAT §3): the image given, else `<project>-<service>:lab`.
pub fn image_name(s: &Service, project: &str) -> String {
    match (&s.image, &s.build) {
        (Some(i), _) => i.clone(),
        (None, _) => format!("{project}-{}:lab", s.name),
    }
}

/// A service that is part of a dependency cycle, if there is one (depth-first search).
fn in_a_cycle(containers: &[ContainerPlan]) -> Option<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(i: usize, containers: &[ContainerPlan], marks: &mut [Mark]) -> Option<usize> {
        match marks[i] {
            Mark::Open => return Some(i),
            Mark::Done => return None,
            Mark::New => {}
        }
        marks[i] = Mark::Open;
        for (j, _) in &containers[i].depends_on {
            if let Some(found) = visit(*j, containers, marks) {
                return Some(found);
            }
        }
        marks[i] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; containers.len()];
    (0..containers.len()).find_map(|i| visit(i, containers, &mut marks))
}

/// A hash of what makes the container what it is. Maps (labels, env, ports) are hashed in
/// sorted order: HashMap order differs from one run of `lab` to the next.
fn config_hash(body: &ContainerCreateBody, extra: &[(String, Vec<String>)]) -> String {
    let mut h = Sha256::new();
    let value = serde_json::to_value(body).unwrap_or_default();
    h.update(canonical(&value).as_bytes());
    h.update(serde_json::to_vec(extra).unwrap_or_default());
    hex::encode(&h.finalize()[..8])
}

fn canonical(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .iter()
                .map(|k| format!("{:?}:{}", k, canonical(&m[*k])))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dependency, Service, Stack};

    fn lab(services: Vec<Service>) -> Lab {
        Lab {
            digest: String::new(),
            id: "l".into(),
            title: "L".into(),
            requires: vec![],
            timeout: None,
            tags: vec![],
            submission: None,
            tasks: vec![],
            stack: Some(Stack {
                services,
                ..Default::default()
            }),
            checks: vec![],
            document: Vec::new(),
            dir: std::env::temp_dir(),
        }
    }

    fn svc(name: &str, deps: &[&str]) -> Service {
        Service {
            name: name.into(),
            image: Some("busybox:1.36".into()),
            depends_on: deps
                .iter()
                .map(|d| Dependency {
                    service: d.to_string(),
                    condition: DependencyCondition::ServiceStarted,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_dependency_cycle_or_an_unknown_dependency_is_refused() {
        let err =
            plan(&lab(vec![svc("a", &["b"]), svc("b", &["a"])]), "c", "p").expect_err("cycle");
        assert!(err.to_string().contains("cycle"), "{err}");
        let err = plan(&lab(vec![svc("a", &["nope"])]), "c", "p").expect_err("unknown");
        assert!(err.to_string().contains("nope"), "{err}");
        let ok = plan(&lab(vec![svc("a", &[]), svc("b", &["a"])]), "c", "p").expect("plan");
        assert_eq!(ok.containers[1].depends_on.len(), 1);
        assert_eq!(ok.containers[0].name, "p-a");
    }
}
