//! `network`, `volume`, `image`: an engine object by name, its existence and properties.

use super::fields::{label_matchers, opt_matcher, port_list};
use crate::course::decode::{Ctx, Fields, Schema};
use crate::course::yaml::Node;
use crate::model::{ImageCheck, NetworkCheck, VolumeCheck};

const NETWORK: Schema = Schema::known(&[
    "name",
    "exists",
    "driver",
    "internal",
    "containers",
    "labels",
]);
const VOLUME: Schema = Schema::known(&["name", "exists", "driver", "labels"]);
const IMAGE: Schema = Schema::known(&[
    "name",
    "exists",
    "labels",
    "user",
    "healthcheck",
    "exposed_ports",
]);

pub(super) fn network(ctx: &mut Ctx, body: &Node, what: &str) -> Option<NetworkCheck> {
    let f = Fields::open(ctx, body, what, &NETWORK, false)?;
    let labels = label_matchers(ctx, &f, "labels");
    Some(NetworkCheck {
        name: f.req_str(ctx, "name")?,
        exists: f.bool(ctx, "exists").unwrap_or(true),
        driver: f.str(ctx, "driver"),
        internal: f.bool(ctx, "internal"),
        containers: f.str_list(ctx, "containers"),
        labels: labels?,
    })
}

pub(super) fn volume(ctx: &mut Ctx, body: &Node, what: &str) -> Option<VolumeCheck> {
    let f = Fields::open(ctx, body, what, &VOLUME, false)?;
    let labels = label_matchers(ctx, &f, "labels");
    Some(VolumeCheck {
        name: f.req_str(ctx, "name")?,
        exists: f.bool(ctx, "exists").unwrap_or(true),
        driver: f.str(ctx, "driver"),
        labels: labels?,
    })
}

pub(super) fn image(ctx: &mut Ctx, body: &Node, what: &str) -> Option<ImageCheck> {
    let f = Fields::open(ctx, body, what, &IMAGE, false)?;
    let labels = label_matchers(ctx, &f, "labels");
    let user = opt_matcher(ctx, &f, "user");
    let exposed = port_list(ctx, &f, "exposed_ports");
    Some(ImageCheck {
        name: f.req_str(ctx, "name")?,
        exists: f.bool(ctx, "exists").unwrap_or(true),
        labels: labels?,
        user: user?,
        healthcheck: f.bool(ctx, "healthcheck"),
        exposed_ports: exposed?,
    })
}
