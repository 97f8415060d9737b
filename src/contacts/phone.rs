//! Phone numbers as people type them, to E.164, through libphonenumber's
//! rules (the `phonenumber` crate) with the business's default country for
//! numbers written without their country code.
use phonenumber::{country, Mode};

/// `raw` as plain ASCII punctuation: phones (iOS exports, word processors)
/// write numbers with no-break spaces, typographic dashes and direction
/// marks; Excel users prefix an apostrophe to keep a number as text.
pub fn plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().trim_start_matches('\'').chars() {
        match c {
            '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' => out.push(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// `5.51191E+12`: a spreadsheet showed the number in scientific notation and
/// exported that, dropping digits, so no phone can be recovered from it.
fn shortened_by_a_spreadsheet(raw: &str) -> bool {
    let Some((mantissa, exponent)) = raw.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// The E.164 form of `raw`, or why it is not a phone number.
pub fn normalize(raw: &str, default_country: &str) -> Result<String, &'static str> {
    let raw = plain(raw);
    let raw = raw.as_str();
    if raw.is_empty() || raw.len() > 40 {
        return Err("is not a phone number");
    }
    if shortened_by_a_spreadsheet(raw) {
        return Err("was shortened to scientific notation by a spreadsheet; format the column as text and export again");
    }
    // "00" is the international prefix in most of the world.
    let raw = match raw.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => raw.to_string(),
    };
    if raw.starts_with('+') {
        return parsed(None, &raw);
    }
    let hint: Option<country::Id> = default_country.trim().to_uppercase().parse().ok();
    let national = match hint {
        Some(c) => parsed(Some(c), &raw),
        None => Err("needs its country code (+…): the business has no default country"),
    };
    // Other systems often send the country code without the "+".
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    match national {
        Ok(e164) => Ok(e164),
        Err(why) if digits.len() >= 10 => parsed(None, &format!("+{digits}")).map_err(|_| why),
        Err(why) => Err(why),
    }
}

/// Whether `code` is an ISO 3166 alpha-2 country the phone rules know.
pub fn known_country(code: &str) -> bool {
    code.len() == 2 && code.parse::<country::Id>().is_ok()
}

fn parsed(hint: Option<country::Id>, raw: &str) -> Result<String, &'static str> {
    let number = phonenumber::parse(hint, raw).map_err(|_| "is not a phone number")?;
    if !phonenumber::is_valid(&number) {
        // A Brazilian mobile written as before its 9 was added (old sheets and
        // contact lists) is the same line: it is kept in today's form.
        let old = number.format().mode(Mode::E164).to_string();
        let modern = brazil_mobile_twin(&old).filter(|t| t.len() > old.len());
        if let Some(m) =
            modern.filter(|m| phonenumber::parse(None, m).is_ok_and(|n| phonenumber::is_valid(&n)))
        {
            return Ok(m);
        }
        return Err("is not a valid phone number for its country");
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// The other way WhatsApp may write a Brazilian mobile: numbers gained a
/// leading 9 in 2012-2016, and accounts made before keep a `wa_id` without it
/// (`+55 11 8765-4321` for `+55 11 98765-4321`), while forms and sheets use
/// the new one. Landlines (first digit 2 to 5) have no second form.
pub fn brazil_mobile_twin(e164: &str) -> Option<String> {
    let rest = e164.strip_prefix("+55")?;
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (area, local) = rest.split_at_checked(2)?;
    if area.starts_with('0') {
        return None;
    }
    match local.as_bytes() {
        [b'9', first, ..] if local.len() == 9 && (b'6'..=b'9').contains(first) => {
            Some(format!("+55{area}{}", &local[1..]))
        }
        [first, ..] if local.len() == 8 && (b'6'..=b'9').contains(first) => {
            Some(format!("+55{area}9{local}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{brazil_mobile_twin, normalize};

    #[test]
    fn an_old_eight_digit_brazilian_mobile_is_kept_in_todays_form() {
        assert_eq!(normalize("+55 11 8888-7003", "").unwrap(), "+5511988887003");
        assert_eq!(normalize("551188887001", "").unwrap(), "+5511988887001");
        assert_eq!(normalize("(11) 8888-7002", "BR").unwrap(), "+5511988887002");
        // A landline (first digit 2 to 5) has no such form.
        assert_eq!(normalize("(11) 3333-4444", "BR").unwrap(), "+551133334444");
    }

    #[test]
    fn national_numbers_take_the_default_country() {
        assert_eq!(
            normalize("(11) 98765-4321", "BR").unwrap(),
            "+5511987654321"
        );
        assert_eq!(normalize("020 7946 0958", "gb").unwrap(), "+442079460958");
        assert_eq!(normalize("+1 415 555 2671", "BR").unwrap(), "+14155552671");
        assert_eq!(normalize("0049 30 901820", "").unwrap(), "+4930901820");
        assert_eq!(normalize("5511987654321", "").unwrap(), "+5511987654321");
    }

    #[test]
    fn numbers_as_phones_and_spreadsheets_write_them() {
        assert_eq!(
            normalize("\u{200E}+55\u{00A0}11\u{00A0}91234\u{2011}5678\u{202C}", "").unwrap(),
            "+5511912345678"
        );
        assert_eq!(normalize("'5511912345678", "").unwrap(), "+5511912345678");
        for shortened in ["5.5119123456E+12", "5.51191E+12", "5,51191E+12", "5E12"] {
            let why = normalize(shortened, "BR").unwrap_err();
            assert!(why.contains("scientific notation"), "{shortened}: {why}");
        }
    }

    #[test]
    fn what_is_not_a_phone_number_says_so() {
        assert!(normalize("hello", "BR").is_err());
        assert!(normalize("12", "BR").is_err());
        assert!(normalize("98765-4321", "").is_err(), "no country to assume");
        assert!(normalize("", "BR").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_refused_or_normalised_without_panicking(s in "\\PC{0,48}", c in "[A-Za-z]{0,3}") {
            if let Ok(e164) = normalize(&s, &c) {
                proptest::prop_assert!(e164.starts_with('+'));
                proptest::prop_assert!(e164[1..].bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn a_brazilian_mobile_has_a_twin_without_its_ninth_digit_and_a_landline_none() {
        assert_eq!(
            brazil_mobile_twin("+5511987654321").as_deref(),
            Some("+551187654321")
        );
        assert_eq!(
            brazil_mobile_twin("+551187654321").as_deref(),
            Some("+5511987654321")
        );
        for none in [
            "+551133334444",
            "+5511912345",
            "+14155550100",
            "+55119876543210",
            "+55",
        ] {
            assert_eq!(brazil_mobile_twin(none), None, "{none}");
        }
    }
}
