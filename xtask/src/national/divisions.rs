//! Reads the GB/T 2260 division CSVs into [`Divisions`], checking that they are consistent
//! (codes well formed and nested, no duplicates, every province known to [`PROVINCES`]) so
//! that generation itself cannot fail.
//!
//! Takes the files' text rather than paths so that the tests can feed small inputs.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

/// One row per province of `provinces.csv`, in code order. The position in this table also
/// fixes the province's second host octet (index + 1), so hosts do not move when the data is
/// trimmed for a test.
pub(super) struct ProvinceInfo {
    pub code: &'static str,
    /// Node id; also the prefix of every id below the province.
    pub id: &'static str,
    /// Pinyin used in the file name, readable where the short id is cryptic.
    pub file_slug: &'static str,
    /// The short form used in coal bureau names (山西煤矿安全监察局, 内蒙古煤矿安全监察局).
    pub short_name: &'static str,
    pub has_coal_bureau: bool,
    pub pilot: bool,
}

const fn info(
    code: &'static str,
    id: &'static str,
    file_slug: &'static str,
    short_name: &'static str,
    has_coal_bureau: bool,
    pilot: bool,
) -> ProvinceInfo {
    ProvinceInfo {
        code,
        id,
        file_slug,
        short_name,
        has_coal_bureau,
        pilot,
    }
}

pub(super) const PROVINCES: [ProvinceInfo; 31] = [
    // info(code, id, file slug, short name, has coal bureau, pilot)
    info("11", "bj", "beijing", "北京", false, true),
    info("12", "tj", "tianjin", "天津", false, false),
    info("13", "heb", "hebei", "河北", true, false),
    info("14", "sx", "shanxi", "山西", true, true),
    info("15", "nm", "neimenggu", "内蒙古", true, false),
    info("21", "ln", "liaoning", "辽宁", true, false),
    info("22", "jl", "jilin", "吉林", true, false),
    info("23", "hlj", "heilongjiang", "黑龙江", true, false),
    info("31", "sh", "shanghai", "上海", false, false),
    info("32", "js", "jiangsu", "江苏", true, false),
    info("33", "zj", "zhejiang", "浙江", false, false),
    info("34", "ah", "anhui", "安徽", true, false),
    info("35", "fj", "fujian", "福建", true, false),
    info("36", "jx", "jiangxi", "江西", true, false),
    info("37", "sd", "shandong", "山东", true, false),
    info("41", "hen", "henan", "河南", true, false),
    info("42", "hub", "hubei", "湖北", true, false),
    info("43", "hun", "hunan", "湖南", true, false),
    info("44", "gd", "guangdong", "广东", false, true),
    info("45", "gx", "guangxi", "广西", true, false),
    info("46", "hi", "hainan", "海南", false, false),
    info("50", "cq", "chongqing", "重庆", true, false),
    info("51", "sc", "sichuan", "四川", true, false),
    info("52", "gz", "guizhou", "贵州", true, false),
    info("53", "yn", "yunnan", "云南", true, false),
    info("54", "xz", "xizang", "西藏", false, false),
    info("61", "sn", "shaanxi", "陕西", true, false),
    info("62", "gs", "gansu", "甘肃", true, false),
    info("63", "qh", "qinghai", "青海", true, false),
    info("64", "nx", "ningxia", "宁夏", true, false),
    info("65", "xj", "xinjiang", "新疆", true, false),
];

/// Last octets 0 and 255 are skipped so that no generated host looks like a network or
/// broadcast address to a tool that assumes /24s.
pub(super) const HOSTS_PER_OCTET: u32 = 254;
pub(super) const HOSTS_PER_PROVINCE: u32 = HOSTS_PER_OCTET * 256;

/// The parsed division data, sorted by code at every level.
#[derive(Debug, Clone)]
pub struct Divisions {
    pub(super) provinces: Vec<Province>,
}

#[derive(Debug, Clone)]
pub(super) struct Province {
    /// Index into [`PROVINCES`], resolved once at parse time so generation cannot fail.
    pub slot: usize,
    pub code: String,
    pub name: String,
    pub cities: Vec<City>,
}

#[derive(Debug, Clone)]
pub(super) struct City {
    pub code: String,
    pub name: String,
    pub areas: Vec<Area>,
}

#[derive(Debug, Clone)]
pub(super) struct Area {
    pub code: String,
    pub name: String,
}

impl Divisions {
    /// Parses the three CSVs (header line first, columns found by name; UTF-8, with or
    /// without a BOM). Errors name the file and line.
    pub fn parse(
        provinces_csv: &str,
        cities_csv: &str,
        areas_csv: &str,
    ) -> Result<Divisions, String> {
        let mut provinces: BTreeMap<String, Province> = BTreeMap::new();
        for (line, [code, name]) in read_csv("provinces.csv", provinces_csv, ["code", "name"])? {
            let at = |msg: String| format!("provinces.csv:{line}: {msg}");
            if !is_code(&code, 2) {
                return Err(at(format!("province code {code:?} is not 2 digits")));
            }
            require_name(&name).map_err(at)?;
            let Some(slot) = PROVINCES.iter().position(|p| p.code == code) else {
                return Err(at(format!(
                    "province code {code} has no slug in the built-in province table"
                )));
            };
            match provinces.entry(code.clone()) {
                Entry::Occupied(_) => return Err(at(format!("duplicate province code {code}"))),
                Entry::Vacant(v) => {
                    v.insert(Province {
                        slot,
                        code,
                        name,
                        cities: Vec::new(),
                    });
                }
            }
        }

        // Keyed by city code, with the owning province code, until areas are attached.
        let mut cities: BTreeMap<String, (String, City)> = BTreeMap::new();
        for (line, [code, name, province]) in
            read_csv("cities.csv", cities_csv, ["code", "name", "provinceCode"])?
        {
            let at = |msg: String| format!("cities.csv:{line}: {msg}");
            if !is_code(&code, 4) {
                return Err(at(format!("city code {code:?} is not 4 digits")));
            }
            require_name(&name).map_err(at)?;
            if !provinces.contains_key(&province) {
                return Err(at(format!(
                    "city {code} names province {province:?}, which is not in provinces.csv"
                )));
            }
            if !code.starts_with(&province) {
                return Err(at(format!(
                    "city code {code} does not start with its province code {province}"
                )));
            }
            match cities.entry(code.clone()) {
                Entry::Occupied(_) => return Err(at(format!("duplicate city code {code}"))),
                Entry::Vacant(v) => {
                    v.insert((
                        province,
                        City {
                            code,
                            name,
                            areas: Vec::new(),
                        },
                    ));
                }
            }
        }

        let mut seen_areas = BTreeSet::new();
        for (line, [code, name, city, province]) in read_csv(
            "areas.csv",
            areas_csv,
            ["code", "name", "cityCode", "provinceCode"],
        )? {
            let at = |msg: String| format!("areas.csv:{line}: {msg}");
            if !is_code(&code, 6) {
                return Err(at(format!("area code {code:?} is not 6 digits")));
            }
            require_name(&name).map_err(at)?;
            let Some((city_province, city_entry)) = cities.get_mut(&city) else {
                return Err(at(format!(
                    "area {code} names city {city:?}, which is not in cities.csv"
                )));
            };
            if *city_province != province {
                return Err(at(format!(
                    "area {code} names province {province} \
                     but its city {city} is in {city_province}"
                )));
            }
            if !code.starts_with(&city) {
                return Err(at(format!(
                    "area code {code} does not start with its city code {city}"
                )));
            }
            if !seen_areas.insert(code.clone()) {
                return Err(at(format!("duplicate area code {code}")));
            }
            city_entry.areas.push(Area { code, name });
        }

        for (province, mut city) in cities.into_values() {
            city.areas.sort_by(|a, b| a.code.cmp(&b.code));
            provinces
                .get_mut(&province)
                .expect("checked when the city was read")
                .cities
                .push(city);
        }

        let provinces: Vec<Province> = provinces.into_values().collect();
        for p in &provinces {
            // The province's own bureau, maybe its coal bureau, and every city and area share
            // one 127.P.0.0/16; refuse data that would overflow it rather than reuse hosts.
            let nodes = 2 + p.cities.iter().map(|c| 1 + c.areas.len()).sum::<usize>();
            if nodes > HOSTS_PER_PROVINCE as usize {
                return Err(format!(
                    "province {} has {nodes} divisions, more than the {HOSTS_PER_PROVINCE} \
                     loopback hosts available to it",
                    p.code
                ));
            }
        }
        Ok(Divisions { provinces })
    }
}

fn is_code(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| b.is_ascii_digit())
}

fn require_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err("empty name".to_owned())
    } else {
        Ok(())
    }
}

/// Returns, for every record, its 1-based line number and the fields of `columns` in that
/// order. Columns are found by header name so that extra or reordered columns in a newer
/// release of the data do not break the generator.
fn read_csv<const N: usize>(
    file: &str,
    text: &str,
    columns: [&str; N],
) -> Result<Vec<(u64, [String; N])>, String> {
    let mut lines = Lines::new(text);
    // Trimmed so that a hand-edited row with a space after a comma still matches its codes.
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| csv_error(file, text, &e))?
        .clone();
    if header.is_empty() {
        return Err(format!("{file}: empty, expected a header line"));
    }
    let header_line = lines.at(header.position());
    let mut indices = [0; N];
    for (index, column) in indices.iter_mut().zip(columns) {
        *index = header.iter().position(|h| h == column).ok_or_else(|| {
            format!(
                "{file}:{header_line}: no {column:?} column in the header (found: {})",
                header.iter().collect::<Vec<_>>().join(",")
            )
        })?;
    }

    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, text, &e))?;
        // The reader refuses records whose length differs from the header's, so every index
        // found in the header is in range.
        records.push((
            lines.at(record.position()),
            indices.map(|i| record[i].to_owned()),
        ));
    }
    Ok(records)
}

/// The csv crate's own message for a short or long row speaks of "the previous record"; the
/// header is what the reader of the error has to compare with.
fn csv_error(file: &str, text: &str, e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = Lines::new(text).at(pos.as_ref());
            format!("{file}:{line}: {len} fields, but the header has {expected_len}")
        }
        _ => format!("{file}: {e}"),
    }
}

/// Line numbers of records, counted from the text: the csv crate's own count misses blank
/// lines and counts a CRLF file's lines wrong, while its byte offset is right up to the line
/// breaks before the record, which are skipped here.
struct Lines<'a> {
    text: &'a [u8],
    /// How far the text has been counted, and the line there; records come in order, so each
    /// is counted from the one before.
    counted: usize,
    line: u64,
}

impl Lines<'_> {
    fn new(text: &str) -> Lines<'_> {
        Lines {
            text: text.as_bytes(),
            counted: 0,
            line: 1,
        }
    }

    fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut start = usize::try_from(position.byte())
            .map_or(self.text.len(), |b| b.clamp(self.counted, self.text.len()));
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let breaks = self.text[self.counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += breaks as u64;
        self.counted = start;
        self.line
    }
}

/// The vendored division data, parsed: what the generator's tests build from.
#[cfg(test)]
pub(crate) fn vendored() -> Divisions {
    Divisions::parse(
        include_str!("../../../data/divisions/provinces.csv"),
        include_str!("../../../data/divisions/cities.csv"),
        include_str!("../../../data/divisions/areas.csv"),
    )
    .expect("vendored data parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<const N: usize>(text: &str, columns: [&str; N]) -> Result<Vec<[String; N]>, String> {
        read_csv("t.csv", text, columns).map(|rows| rows.into_iter().map(|(_, r)| r).collect())
    }

    #[test]
    fn csv_fields() {
        assert_eq!(read("a,b\n1,2\n", ["a", "b"]).unwrap(), [["1", "2"]]);
        assert_eq!(
            read("a,b,c\n1,\"x, \"\"y\"\"\",z\n", ["b"]).unwrap(),
            [["x, \"y\""]]
        );
        assert_eq!(read("a,b\n\"\",2\n", ["a"]).unwrap(), [[""]]);
        assert_eq!(read("a,b\n1,\n", ["b"]).unwrap(), [[""]]);
        assert_eq!(read("a,b\n 1 , 2\n", ["a", "b"]).unwrap(), [["1", "2"]]);
        // Columns come back in the order asked for, whatever the file's order.
        assert_eq!(read("b,a\n2,1\n", ["a", "b"]).unwrap(), [["1", "2"]]);
    }

    #[test]
    fn csv_line_numbers_count_the_header_and_skip_blank_lines() {
        let lines = |text: &str| -> Vec<u64> {
            let rows = read_csv("t.csv", text, ["a"]).unwrap();
            rows.iter().map(|(line, _)| *line).collect()
        };
        assert_eq!(lines("a\n1\n2\n"), [2, 3]);
        assert_eq!(lines("a\r\n1\r\n2"), [2, 3]);
        assert_eq!(lines("a\n\"x\ny\"\n2\n"), [2, 4]);
        assert_eq!(lines("a\n1\n\n2\n"), [2, 4]);
    }

    const SMALL_PROVINCES: &str = "\u{feff}code,name\r\n11,\"北京市\"\r\n13,河北省\r\n";
    const SMALL_CITIES: &str = "name,code,provinceCode\n市辖区,1101,11\n石家庄市,1301,13\n";
    const SMALL_AREAS: &str = "code,name,cityCode,provinceCode\n\
        110101,东城区,1101,11\n130102,长安区,1301,13\n130104,桥西区,1301,13\n";

    #[test]
    fn parses_small_input_with_bom_crlf_and_reordered_columns() {
        let div = Divisions::parse(SMALL_PROVINCES, SMALL_CITIES, SMALL_AREAS).unwrap();
        let codes: Vec<&str> = div.provinces.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["11", "13"]);
        assert_eq!(div.provinces[0].name, "北京市");
        // Slots are positions in the built-in table, not in the file.
        assert_eq!(div.provinces[1].slot, 2);
        let hebei = &div.provinces[1].cities;
        assert_eq!(hebei.len(), 1);
        assert_eq!(
            (hebei[0].code.as_str(), hebei[0].name.as_str()),
            ("1301", "石家庄市")
        );
        let areas: Vec<&str> = hebei[0].areas.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(areas, ["130102", "130104"]);
    }

    #[test]
    fn rejects_inconsistent_input() {
        let err = |p: &str, c: &str, a: &str| Divisions::parse(p, c, a).unwrap_err();
        assert!(err("", SMALL_CITIES, SMALL_AREAS).contains("provinces.csv: empty"));
        assert!(err("code,title\n11,x\n", SMALL_CITIES, SMALL_AREAS).contains("\"name\""));
        assert!(
            err(
                "code,name\n71,台湾省\n",
                "code,name,provinceCode\n",
                SMALL_AREAS
            )
            .contains("provinces.csv:2: province code 71")
        );
        assert!(err("code,name\n11,a\n11,b\n", SMALL_CITIES, SMALL_AREAS).contains("duplicate"));
        assert!(
            err(
                "code,name\r\n11,a\r\n\r\n71,b\r\n",
                SMALL_CITIES,
                SMALL_AREAS
            )
            .starts_with("provinces.csv:4: province code 71")
        );
        assert!(err("code,name\n11,\"\"\n", SMALL_CITIES, SMALL_AREAS).contains("empty name"));
        assert!(
            err(
                SMALL_PROVINCES,
                "code,name,provinceCode\n1101,x,12\n",
                SMALL_AREAS
            )
            .contains("cities.csv:2:")
        );
        assert!(
            err(
                SMALL_PROVINCES,
                "code,name,provinceCode\n1301,x,11\n",
                SMALL_AREAS
            )
            .contains("does not start with")
        );
        assert!(
            err(
                SMALL_PROVINCES,
                SMALL_CITIES,
                "code,name,cityCode,provinceCode\n110101,x,1102,11\n"
            )
            .contains("areas.csv:2:")
        );
        assert!(
            err(
                SMALL_PROVINCES,
                SMALL_CITIES,
                "code,name,cityCode,provinceCode\n110101,x,1101,13\n"
            )
            .contains("names province 13")
        );
        assert!(
            err(
                SMALL_PROVINCES,
                SMALL_CITIES,
                "code,name,cityCode,provinceCode\n11010,x,1101,11\n"
            )
            .contains("not 6 digits")
        );
        assert!(
            err(
                SMALL_PROVINCES,
                SMALL_CITIES,
                "code,name,cityCode,provinceCode\n110101,x,1101,11\n110101,y,1101,11\n"
            )
            .contains("duplicate area code")
        );
        assert_eq!(
            err(
                SMALL_PROVINCES,
                SMALL_CITIES,
                "code,name,cityCode,provinceCode\n110101,x,1101\n"
            ),
            "areas.csv:2: 3 fields, but the header has 4"
        );
    }
}
