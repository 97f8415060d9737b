//! Guessing how a spreadsheet export is written, from its first bytes: the
//! encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252,
//! what Excel writes on most Western machines), the delimiter (`,` `;` tab),
//! whether the first row is a header, and what each column probably holds.
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// How much of the file the guesses look at.
pub const SAMPLE_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }

    pub fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8,
            TextEncoding::Utf16Le => UTF_16LE,
            TextEncoding::Utf16Be => UTF_16BE,
            TextEncoding::Windows1252 => WINDOWS_1252,
        }
    }

    /// Bytes of byte-order mark to skip at the start of the file.
    pub fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }
}

/// The encoding of a file from its first bytes. Without a BOM, text that is
/// valid UTF-8 is UTF-8 (a sample cut mid-character still counts), anything
/// else is taken as Windows-1252.
pub fn encoding(sample: &[u8]) -> TextEncoding {
    match sample {
        [0xEF, 0xBB, 0xBF, ..] => TextEncoding::Utf8Bom,
        [0xFF, 0xFE, ..] => TextEncoding::Utf16Le,
        [0xFE, 0xFF, ..] => TextEncoding::Utf16Be,
        _ => match std::str::from_utf8(sample) {
            Ok(_) => TextEncoding::Utf8,
            // Only an incomplete character at the very end: the sample was cut.
            Err(e) if e.error_len().is_none() && sample.len() - e.valid_up_to() < 4 => {
                TextEncoding::Utf8
            }
            Err(_) => TextEncoding::Windows1252,
        },
    }
}

/// The sample as text (malformed sequences become U+FFFD, never an error).
pub fn decode_sample(sample: &[u8], enc: TextEncoding) -> String {
    let body = sample.get(enc.bom_len()..).unwrap_or_default();
    enc.encoding()
        .decode_without_bom_handling(body)
        .0
        .into_owned()
}

/// Excel's `sep=;` first line (what it writes, and reads, to name the
/// delimiter): the delimiter it names, and the line's length with its end.
pub fn sep_line(text: &str) -> Option<(u8, usize)> {
    let line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let line = text[..line_end].trim_end_matches(['\r', '\n']);
    let inner = line.trim_matches('"');
    let rest = inner
        .get(..4)?
        .eq_ignore_ascii_case("sep=")
        .then(|| &inner[4..])?;
    match rest.as_bytes() {
        [d] if !d.is_ascii_alphanumeric() && *d != b'"' => Some((*d, line_end)),
        _ => None,
    }
}

/// Whether a record read from the file is that line (the csv reader splits
/// `sep=;` at its own delimiter into `sep=` and an empty cell).
pub fn is_sep_record<'a>(cells: impl Iterator<Item = &'a [u8]>, delimiter: u8) -> bool {
    let mut joined = Vec::new();
    for (i, c) in cells.enumerate() {
        if i > 0 {
            joined.push(delimiter);
        }
        joined.extend_from_slice(c);
    }
    std::str::from_utf8(&joined)
        .is_ok_and(|t| sep_line(t.trim()).is_some_and(|(d, _)| d == delimiter))
}

/// Fields outside quotes on each line, per candidate delimiter.
fn counts(line: &str) -> [usize; 3] {
    let mut out = [0; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out[0] += 1,
            ';' if !quoted => out[1] += 1,
            '\t' if !quoted => out[2] += 1,
            _ => {}
        }
    }
    out
}

/// The delimiter that splits the first lines most consistently: the same
/// non-zero count on most lines wins; ties go to `;` over `,` (a European
/// file whose decimals use commas), and tab when nothing else splits.
pub fn delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    let lines: Vec<[usize; 3]> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .map(counts)
        .collect();
    let mut best = (0usize, 0usize, b',');
    for (i, d) in CANDIDATES.iter().enumerate() {
        let first = lines.first().map_or(0, |c| c[i]);
        if first == 0 {
            continue;
        }
        let agree = lines.iter().filter(|c| c[i] == first).count();
        // Rank by lines agreeing, then fields; `;` outranks `,` when equal.
        let rank = (agree, first + usize::from(*d == b';'), *d);
        if (rank.0, rank.1) > (best.0, best.1) {
            best = rank;
        }
    }
    best.2
}

/// Header words, normalised (lower case, no accents, letters and digits only).
const FIELDS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "fullname",
            "nome",
            "nomecompleto",
            "nombre",
            "nombrecompleto",
            "cliente",
            "contato",
            "contacto",
            "contact",
            "lead",
            "firstname",
        ],
    ),
    (
        "phone",
        &[
            "phone",
            "phonenumber",
            "telephone",
            "telefone",
            "telefono",
            "tel",
            "celular",
            "cel",
            "mobile",
            "movil",
            "whatsapp",
            "wa",
            "fone",
            "numero",
            "number",
            "mobilephone",
            "mobilenumber",
            "cellphone",
            "whatsappnumber",
            "numerodewhatsapp",
            "numerodowhatsapp",
            "telefonecelular",
            "phone1value",
            "primaryphone",
            "businessphone",
        ],
    ),
    (
        "email",
        &[
            "email",
            "mail",
            "emailaddress",
            "email1value",
            "emailaddress1",
            "correo",
            "correoelectronico",
            "endereco",
            "enderecodeemail",
        ],
    ),
    (
        "note",
        &[
            "note",
            "notes",
            "nota",
            "notas",
            "observacao",
            "observacoes",
            "obs",
            "comentario",
            "comentarios",
            "comment",
            "comments",
            "mensagem",
            "mensaje",
            "message",
        ],
    ),
    (
        "labels",
        &["labels", "label", "tags", "tag", "etiquetas", "etiqueta"],
    ),
    (
        "assignee_email",
        &[
            "assignee",
            "assigneeemail",
            "owner",
            "responsavel",
            "responsable",
            "vendedor",
            "vendedora",
            "agente",
            "agent",
            "asignado",
            "atribuido",
        ],
    ),
    (
        "source",
        &[
            "source", "origem", "origen", "fonte", "canal", "channel", "campanha", "campana",
            "campaign",
        ],
    ),
];

pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter_map(|c| {
            let base = match c {
                'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'a',
                'é' | 'ê' | 'è' | 'ë' | 'É' | 'Ê' | 'È' | 'Ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
                'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
                'ç' | 'Ç' => 'c',
                'ñ' | 'Ñ' => 'n',
                c => c.to_ascii_lowercase(),
            };
            base.is_ascii_alphanumeric().then_some(base)
        })
        .collect()
}

/// The field a header names, if any ("Telefone" → phone, "E-mail" → email).
pub fn suggest(header: &str) -> Option<&'static str> {
    let n = normalise(header);
    if n.is_empty() {
        return None;
    }
    FIELDS
        .iter()
        .find(|(_, words)| words.contains(&n.as_str()))
        .map(|(field, _)| *field)
}

fn looks_like_data(cell: &str) -> bool {
    let t = cell.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    t.contains('@') || digits >= 6 || t.parse::<f64>().is_ok()
}

/// A first row is a header when some cell names a known field, or when none
/// of its cells looks like data while the second row's do.
pub fn has_header(first: &[String], second: Option<&[String]>) -> bool {
    if first.iter().any(|c| suggest(c).is_some()) {
        return true;
    }
    let data_in_first = first.iter().any(|c| looks_like_data(c));
    let data_in_second = second.is_some_and(|r| r.iter().any(|c| looks_like_data(c)));
    !data_in_first && data_in_second
}

#[cfg(test)]
mod tests;
