use proptest::prelude::*;

use super::*;

#[test]
fn encodings_are_told_apart_by_bom_and_validity() {
    assert_eq!(
        encoding(b"\xEF\xBB\xBFnome;telefone"),
        TextEncoding::Utf8Bom
    );
    assert_eq!(encoding(b"\xFF\xFEn\0"), TextEncoding::Utf16Le);
    assert_eq!(encoding(b"\xFE\xFF\0n"), TextEncoding::Utf16Be);
    assert_eq!(encoding("João;São Paulo".as_bytes()), TextEncoding::Utf8);
    // Excel on Windows: "João" in Windows-1252.
    assert_eq!(encoding(b"Jo\xE3o;S\xE3o Paulo"), TextEncoding::Windows1252);
    // A sample cut in the middle of "ã" is still UTF-8.
    let cut = &"São".as_bytes()[..2];
    assert_eq!(encoding(cut), TextEncoding::Utf8);
}

#[test]
fn samples_decode_to_the_same_text_whatever_the_encoding() {
    let text = "nome;telefone\nJoão Araújo;+55 11 91234-5678\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let (cp1252, _, _) = WINDOWS_1252.encode(text);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    for bytes in [le, be, cp1252.into_owned(), bom, text.as_bytes().to_vec()] {
        let enc = encoding(&bytes);
        assert_eq!(decode_sample(&bytes, enc), text, "{}", enc.name());
    }
}

#[test]
fn the_delimiter_is_the_one_that_splits_every_line_alike() {
    assert_eq!(delimiter("name,phone,email\nAna,+1 555,ana@x.com\n"), b',');
    assert_eq!(
        delimiter("nome;telefone;valor\nAna;+55 11;1,50\nBia;+55 21;2,75\n"),
        b';'
    );
    assert_eq!(delimiter("name\tphone\nAna\t+1 555 0100\n"), b'\t');
    // Commas inside quotes do not count.
    assert_eq!(
        delimiter("name;note\n\"Souza, Ana\";\"hi, there, again\"\n"),
        b';'
    );
    assert_eq!(delimiter("just one column\nAna\n"), b',');
}

#[test]
fn headers_in_english_portuguese_and_spanish_are_understood() {
    for (header, field) in [
        ("Name", "name"),
        ("Nome completo", "name"),
        ("Nombre", "name"),
        ("Telefone", "phone"),
        ("Teléfono", "phone"),
        ("WhatsApp", "phone"),
        ("Celular", "phone"),
        ("E-mail", "email"),
        ("Correo electrónico", "email"),
        ("Observações", "note"),
        ("Etiquetas", "labels"),
        ("Responsável", "assignee_email"),
        ("Origem", "source"),
        // What Google Contacts, Outlook and hand-made sheets call them.
        ("Phone 1 - Value", "phone"),
        ("E-mail 1 - Value", "email"),
        ("Mobile Phone", "phone"),
        ("Número de WhatsApp", "phone"),
        ("Telefone Celular", "phone"),
    ] {
        assert_eq!(suggest(header), Some(field), "{header}");
    }
    assert_eq!(suggest("Valor do pedido"), None);
    assert_eq!(suggest(""), None);
}

#[test]
fn a_header_row_is_recognised_and_a_data_row_is_not_taken_for_one() {
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert!(has_header(&row(&["Cliente", "Fone"]), None));
    assert!(has_header(
        &row(&["Quem", "Contato"]),
        Some(&row(&["Ana", "+55 11 91234-5678"]))
    ));
    assert!(!has_header(
        &row(&["Ana", "+55 11 91234-5678"]),
        Some(&row(&["Bia", "+55 21 99876-5432"]))
    ));
}

proptest! {
    #[test]
    fn guessing_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let enc = encoding(&bytes);
        let text = decode_sample(&bytes, enc);
        let d = delimiter(&text);
        prop_assert!([b',', b';', b'\t'].contains(&d));
        for line in text.lines().take(3) {
            let _ = suggest(line);
        }
    }

    #[test]
    fn a_table_written_with_a_delimiter_is_read_back_with_it(
        rows in proptest::collection::vec(proptest::collection::vec("[a-zA-Z0-9 ]{1,8}", 3), 2..10),
        d in prop::sample::select(vec![b',', b';', b'\t']),
    ) {
        let sep = (d as char).to_string();
        let text: String = rows.iter().map(|r| r.join(&sep) + "\n").collect();
        prop_assert_eq!(delimiter(&text), d);
    }
}

#[test]
fn excels_sep_line_is_read_and_nothing_else_is() {
    assert_eq!(sep_line("sep=;\r\nName;Phone\r\n"), Some((b';', 7)));
    assert_eq!(sep_line("\"sep=,\"\nName,Phone"), Some((b',', 8)));
    assert_eq!(sep_line("SEP=\t\n"), Some((b'\t', 6)));
    assert_eq!(sep_line("sep=;"), Some((b';', 5)));
    for not in ["sep=\n", "sep=ab\n", "Name;Phone\n", "sep\n", "", "sepé=;"] {
        assert_eq!(sep_line(not), None, "{not:?}");
    }
    let split: [&[u8]; 2] = [b"sep=", b""];
    assert!(is_sep_record(split.into_iter(), b';'));
    let other: [&[u8]; 1] = [b"sep=;"];
    assert!(is_sep_record(other.into_iter(), b';'));
    assert!(!is_sep_record(other.into_iter(), b','));
    let row: [&[u8]; 2] = [b"Ana", b"+5511"];
    assert!(!is_sep_record(row.into_iter(), b';'));
}
