//! The network QoS classes of ITU-T Y.1541 (`class: y1541-0` … `y1541-5` on an `icmp:`
//! check): each class's one-way objectives (Table 1: the upper bound on the mean IP packet
//! transfer delay, on the 1 − 10⁻³ quantile of delay minus its minimum, and on the loss
//! ratio) and the round-trip limits a ping-style check compares against them.
//!
//! The objectives are one-way, end to end; an echo crosses the path twice. A class's delay
//! and delay-variation objectives are therefore doubled for the round trip (an echo's
//! round trip is two one-way transfers, whose delays add), while its loss objective is kept
//! as written: a round trip's loss is about the sum of both directions', so comparing it
//! with the one-way ratio errs on the strict side, which is the side an acceptance wants.
//! README ("Link quality") gives the table with its source and this reasoning.

use std::fmt;

use super::{Duration, Percent};

/// A Y.1541 network QoS class; `Y5` is the unspecified class (no objective at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QosClass {
    Y0,
    Y1,
    Y2,
    Y3,
    Y4,
    Y5,
}

/// One class's objectives as the standard states them (one way); `None`: unspecified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objectives {
    /// IPTD: upper bound on the mean delay.
    pub iptd: Option<Duration>,
    /// IPDV: upper bound on the 1 − 10⁻³ quantile of delay minus the minimum delay.
    pub ipdv: Option<Duration>,
    /// IPLR: upper bound on the packet loss ratio.
    pub iplr: Option<Percent>,
}

/// The round-trip limits a class gives an `icmp:` check: `max_rtt` (the mean), `max_ipdv`
/// and `max_loss`, each `None` where the class leaves it unspecified.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassLimits {
    pub max_rtt: Option<Duration>,
    pub max_ipdv: Option<Duration>,
    pub max_loss: Option<Percent>,
}

impl QosClass {
    pub const ALL: [QosClass; 6] = [
        QosClass::Y0,
        QosClass::Y1,
        QosClass::Y2,
        QosClass::Y3,
        QosClass::Y4,
        QosClass::Y5,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Y0 => "y1541-0",
            QosClass::Y1 => "y1541-1",
            QosClass::Y2 => "y1541-2",
            QosClass::Y3 => "y1541-3",
            QosClass::Y4 => "y1541-4",
            QosClass::Y5 => "y1541-5",
        }
    }

    pub fn parse(s: &str) -> Option<QosClass> {
        QosClass::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// Y.1541 Table 1, one way, end to end.
    pub fn objectives(self) -> Objectives {
        let ms = Duration::from_millis;
        // 1 × 10⁻³ is 0.1 %.
        let iplr = Some(Percent(0.1));
        match self {
            QosClass::Y0 => Objectives {
                iptd: Some(ms(100)),
                ipdv: Some(ms(50)),
                iplr,
            },
            QosClass::Y1 => Objectives {
                iptd: Some(ms(400)),
                ipdv: Some(ms(50)),
                iplr,
            },
            QosClass::Y2 => Objectives {
                iptd: Some(ms(100)),
                ipdv: None,
                iplr,
            },
            QosClass::Y3 => Objectives {
                iptd: Some(ms(400)),
                ipdv: None,
                iplr,
            },
            QosClass::Y4 => Objectives {
                iptd: Some(ms(1000)),
                ipdv: None,
                iplr,
            },
            QosClass::Y5 => Objectives {
                iptd: None,
                ipdv: None,
                iplr: None,
            },
        }
    }

    /// The limits for a round trip: delay and IPDV doubled, loss as written (see the
    /// module's documentation for why).
    pub fn round_trip(self) -> ClassLimits {
        let o = self.objectives();
        let twice = |d: Duration| Duration(d.as_std() * 2);
        ClassLimits {
            max_rtt: o.iptd.map(twice),
            max_ipdv: o.ipdv.map(twice),
            max_loss: o.iplr,
        }
    }
}

impl fmt::Display for QosClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_reads_back_and_doubles_delay_but_not_loss() {
        for c in QosClass::ALL {
            assert_eq!(QosClass::parse(c.as_str()), Some(c));
        }
        assert_eq!(QosClass::parse("y1541-6"), None);
        let ms = Duration::from_millis;
        assert_eq!(
            QosClass::Y0.round_trip(),
            ClassLimits {
                max_rtt: Some(ms(200)),
                max_ipdv: Some(ms(100)),
                max_loss: Some(Percent(0.1)),
            }
        );
        assert_eq!(QosClass::Y4.round_trip().max_rtt, Some(ms(2000)));
        assert_eq!(QosClass::Y3.round_trip().max_ipdv, None);
        assert_eq!(
            QosClass::Y5.round_trip(),
            ClassLimits {
                max_rtt: None,
                max_ipdv: None,
                max_loss: None,
            }
        );
    }
}
