//! The `osc` section: listen address, allow-list and fixed clients.

use super::Checker;
use crate::config::file::{Address, ConfigFile};
use crate::config::{Cidr, OscClient, OscConfig, OscForm, X32Config, X32Flavour};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

impl Checker<'_> {
    pub(super) fn osc(&mut self, f: &ConfigFile) -> OscConfig {
        let default = OscConfig::default();
        let listen = match &f.osc.listen {
            None => default.listen,
            Some(a) => socket_addr(a, true).unwrap_or_else(|why| {
                self.error(
                    &["osc", "listen"],
                    format!("osc listen {why}; allowed: an IP address and port like 0.0.0.0:9000 or [::]:9000, or a port number"),
                );
                default.listen
            }),
        };
        let allow = match &f.osc.allow {
            None => default.allow,
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (i, s) in list.iter().enumerate() {
                    match s.parse::<Cidr>() {
                        Ok(c) => out.push(c),
                        Err(why) => self.error(
                            &["osc", "allow", &i.to_string()],
                            format!("osc allow: {why}; allowed: address ranges like 192.168.0.0/16 or fe80::/10, or single addresses"),
                        ),
                    }
                }
                out
            }
        };
        let mut clients = Vec::with_capacity(f.osc.clients.len());
        for (i, c) in f.osc.clients.iter().enumerate() {
            let i = i.to_string();
            let address = match socket_addr(&Address::Text(c.address.clone()), false) {
                Ok(a) => Some(a),
                Err(why) => {
                    self.error(
                        &["osc", "clients", &i, "address"],
                        format!("osc client address {why}; allowed: the client's IP address and port, like 192.168.1.40:9001"),
                    );
                    None
                }
            };
            let form = match c.form.as_deref() {
                None => OscForm::default(),
                Some("fader") => OscForm::Fader,
                Some("db") => OscForm::Db,
                Some(other) => {
                    self.error(
                        &["osc", "clients", &i, "form"],
                        format!(
                            "unknown osc client form `{other}`; allowed: {}",
                            OscForm::NAMES.join(", ")
                        ),
                    );
                    OscForm::default()
                }
            };
            let name = c.name.clone().filter(|n| !n.trim().is_empty());
            if let Some(address) = address {
                clients.push(OscClient {
                    address,
                    form,
                    name,
                });
            }
        }
        let range = crate::config::SUBSCRIPTION_TIMEOUTS;
        let subscription_timeout = match f.osc.subscription_timeout {
            None => default.subscription_timeout,
            Some(s) if range.contains(&s) => Duration::from_secs_f64(s),
            Some(s) => {
                self.error(
                    &["osc", "subscription_timeout"],
                    format!(
                        "osc subscription_timeout {s} is out of range; allowed: {} to {} seconds",
                        range.start(),
                        range.end()
                    ),
                );
                default.subscription_timeout
            }
        };
        let x32 = f.osc.x32.as_ref().map(|x| self.x32(x, listen));
        OscConfig {
            listen,
            allow,
            clients,
            subscription_timeout,
            x32,
        }
    }

    fn x32(&mut self, x: &crate::config::file::X32File, native: SocketAddr) -> X32Config {
        let flavour = match x.flavour.as_deref() {
            None => X32Flavour::default(),
            Some(name) => X32Flavour::from_name(name).unwrap_or_else(|| {
                self.error(
                    &["osc", "x32", "flavour"],
                    format!(
                        "unknown osc x32 flavour `{name}`; allowed: {}",
                        X32Flavour::NAMES.join(", ")
                    ),
                );
                X32Flavour::default()
            }),
        };
        let default = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), flavour.port());
        let listen = match &x.listen {
            None => default,
            Some(a) => socket_addr(a, true).unwrap_or_else(|why| {
                self.error(
                    &["osc", "x32", "listen"],
                    format!("osc x32 listen {why}; allowed: an IP address and port like 0.0.0.0:{} or [::]:{}, or a port number", flavour.port(), flavour.port()),
                );
                default
            }),
        };
        if listen.port() == native.port()
            && (listen.ip() == native.ip()
                || listen.ip().is_unspecified()
                || native.ip().is_unspecified())
        {
            self.error(
                &["osc", "x32", "listen"],
                format!("osc x32 listen {listen} is the native OSC server's port; allowed: another port, like {} (the console's own)", flavour.port()),
            );
        }
        X32Config { listen, flavour }
    }
}

/// An address with a port. A listening address may be a bare port (on
/// every interface); a destination must name a host.
fn socket_addr(a: &Address, listening: bool) -> Result<SocketAddr, String> {
    let port = |p: i64| {
        u16::try_from(p)
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("port {p} is out of range (1 to 65535)"))
    };
    let addr = match a {
        Address::Port(p) if listening => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port(*p)?)
        }
        Address::Port(p) => return Err(format!("`{p}` has no IP address")),
        Address::Text(t) => match t.trim().parse::<i64>() {
            Ok(p) if listening => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port(p)?),
            _ => t
                .trim()
                .parse::<SocketAddr>()
                .map_err(|_| format!("`{t}` is not an IP address with a port"))?,
        },
    };
    if addr.port() == 0 {
        return Err(format!("`{addr}` has port 0"));
    }
    if !listening && addr.ip().is_unspecified() {
        return Err(format!("`{addr}` is not a host one can send to"));
    }
    Ok(addr)
}
