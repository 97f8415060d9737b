//! One realistic fixture per export variant WhatsApp produces.

use super::{at, said, times};
use crate::imports::chat_export::{parse, DateOrder, Format, Kind};

#[test]
fn android_us_12h_month_first() {
    let chat = parse(
        "12/31/21, 9:41 PM - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n\
         12/31/21, 9:41 PM - Carla Souza: Happy new year!\n\
         12/31/21, 11:59 PM - +1 (555) 010-9999: almost there\n\
         1/1/22, 12:00 AM - Carla Souza: 🎉\n\
         1/1/22, 12:05 PM - Carla Souza added Bob\n",
    );
    assert_eq!(chat.format, Format::Android);
    assert_eq!(chat.date_order, DateOrder::Mdy);
    assert!(!chat.date_order_guessed, "day 31 settles the order");
    assert_eq!(chat.errors, vec![]);
    assert_eq!(
        times(&chat),
        vec![
            at(2021, 12, 31, 21, 41, 0),
            at(2021, 12, 31, 21, 41, 0),
            at(2021, 12, 31, 23, 59, 0),
            at(2022, 1, 1, 0, 0, 0),
            at(2022, 1, 1, 12, 5, 0),
        ]
    );
    assert_eq!(chat.messages[0].kind, Kind::System);
    assert_eq!(chat.messages[0].author, None);
    assert_eq!(chat.messages[4].text, "Carla Souza added Bob");
    assert_eq!(chat.messages[4].kind, Kind::System);
    assert_eq!(chat.participants, vec!["Carla Souza", "+1 (555) 010-9999"]);
    assert_eq!(
        chat.messages.iter().map(|m| m.line).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
}

#[test]
fn android_brazil_24h_day_first_four_digit_year() {
    let chat = parse(
        "31/12/2021, 21:41 - Carla: Feliz ano novo!\r\n\
         31/12/2021, 21:42 - +55 11 98765-4321: Obrigado: igualmente\r\n\
         01/01/2022, 00:00 - José 🇧🇷: 🥂\r\n",
    );
    assert_eq!(chat.date_order, DateOrder::Dmy);
    assert!(!chat.date_order_guessed);
    assert_eq!(
        said(&chat),
        vec![
            (Some("Carla"), "Feliz ano novo!"),
            (Some("+55 11 98765-4321"), "Obrigado: igualmente"),
            (Some("José 🇧🇷"), "🥂"),
        ]
    );
    assert_eq!(chat.messages[2].at, at(2022, 1, 1, 0, 0, 0));
}

#[test]
fn android_german_dotted_dates() {
    let chat = parse("31.12.21, 21:41 - Jörg: Prost!\n01.01.22, 00:01 - Anna: Frohes Neues\n");
    assert_eq!(chat.date_order, DateOrder::Dmy);
    assert_eq!(chat.format, Format::Android);
    assert_eq!(
        times(&chat),
        vec![at(2021, 12, 31, 21, 41, 0), at(2022, 1, 1, 0, 1, 0)]
    );
    assert_eq!(chat.participants, vec!["Jörg", "Anna"]);
}

#[test]
fn android_iso_dates_are_never_a_guess() {
    let chat = parse("2021-01-02, 21:41 - Ann: hi\n2021-01-03, 07:05 - Bo: hey\n");
    assert_eq!(chat.date_order, DateOrder::Ymd);
    assert!(!chat.date_order_guessed);
    assert_eq!(
        times(&chat),
        vec![at(2021, 1, 2, 21, 41, 0), at(2021, 1, 3, 7, 5, 0)]
    );
}

#[test]
fn ios_brackets_seconds_and_direction_marks() {
    let chat = parse(
        "[31/12/21, 21:41:05] Família: \u{200e}Messages and calls are end-to-end encrypted.\n\
         \u{200e}[31/12/21, 21:41:07] Carla Souza: \u{200e}<attached: 00000012-PHOTO-2021-12-31-21-41-05.jpg>\n\
         [31/12/21, 21:42:00] \u{200e}\u{202a}+55 11 98765-4321\u{202c}: kkkk\n\
         [31/12/21, 21:43:10] Carla Souza: \u{200e}image omitted\n",
    );
    assert_eq!(chat.format, Format::Ios);
    assert_eq!(chat.date_order, DateOrder::Dmy);
    assert_eq!(chat.errors, vec![]);
    // The group's own name writes only marked notices: they are system lines.
    assert_eq!(chat.messages[0].author, None);
    assert_eq!(chat.messages[0].kind, Kind::System);
    assert!(!chat.participants.contains(&"Família".to_string()));
    assert_eq!(
        chat.messages[0].text,
        "Messages and calls are end-to-end encrypted."
    );
    assert_eq!(chat.messages[1].at, at(2021, 12, 31, 21, 41, 7));
    assert_eq!(
        chat.messages[1].kind,
        Kind::Media {
            file: Some("00000012-PHOTO-2021-12-31-21-41-05.jpg".into()),
            omitted: false
        }
    );
    assert_eq!(
        chat.messages[2].author.as_deref(),
        Some("+55 11 98765-4321")
    );
    assert_eq!(
        chat.messages[3].kind,
        Kind::Media {
            file: None,
            omitted: true
        }
    );
}

#[test]
fn ios_12h_with_narrow_no_break_space_before_pm() {
    let chat = parse(
        "[12/31/21, 9:41:05\u{202f}PM] Carla: late\n\
         [1/1/22, 12:00:00\u{202f}AM] Carla: midnight\n\
         [1/1/22, 12:30:00\u{a0}PM] Dan: lunch\n",
    );
    assert_eq!(chat.format, Format::Ios);
    assert_eq!(chat.date_order, DateOrder::Mdy);
    assert_eq!(
        times(&chat),
        vec![
            at(2021, 12, 31, 21, 41, 5),
            at(2022, 1, 1, 0, 0, 0),
            at(2022, 1, 1, 12, 30, 0),
        ]
    );
}

#[test]
fn finnish_klo_and_dotted_time() {
    let chat = parse(
        "31.12.2021 klo 21.41 - Aino: Hyvää uutta vuotta!\n1.1.2022 klo 0.05 - Eero: Kiitos\n",
    );
    assert_eq!(chat.errors, vec![]);
    assert_eq!(
        times(&chat),
        vec![at(2021, 12, 31, 21, 41, 0), at(2022, 1, 1, 0, 5, 0)]
    );
    assert_eq!(chat.messages[0].text, "Hyvää uutta vuotta!");
}

#[test]
fn spanish_meridiem_with_dots_and_spaces() {
    let chat = parse(
        "31/12/21, 9:41 p. m. - Lucía: ¡Feliz año!\n\
         1/1/22, 12:10 a. m. - Mateo: igualmente\n\
         1/1/22, 10:00 a.m. - Lucía: buenos días\n",
    );
    assert_eq!(chat.date_order, DateOrder::Dmy);
    assert_eq!(
        times(&chat),
        vec![
            at(2021, 12, 31, 21, 41, 0),
            at(2022, 1, 1, 0, 10, 0),
            at(2022, 1, 1, 10, 0, 0),
        ]
    );
}

#[test]
fn lowercase_am_pm_and_nbsp() {
    let chat =
        parse("31/12/21, 9:41\u{a0}pm - Priya: hi\n31/12/21, 10:02\u{202f}am - Ravi: hello\n");
    assert_eq!(
        times(&chat),
        vec![at(2021, 12, 31, 21, 41, 0), at(2021, 12, 31, 10, 2, 0)]
    );
}

#[test]
fn multi_line_messages_are_joined_with_newlines() {
    let chat = parse(
        "31/12/2021, 21:41 - Carla: shopping list:\r\n\
         - milk\r\n\
         \r\n\
         - eggs: a dozen\r\n\
         31/12/2021, 21:45 - Bob: ok\r\n",
    );
    assert_eq!(
        said(&chat),
        vec![
            (Some("Carla"), "shopping list:\n- milk\n\n- eggs: a dozen"),
            (Some("Bob"), "ok"),
        ]
    );
    assert_eq!(chat.messages[1].line, 5);
}

#[test]
fn author_ends_at_first_colon_space_and_text_keeps_the_rest() {
    let chat = parse("31/12/2021, 21:41 - Dr. Who: time: 21:41 - not a header\n");
    assert_eq!(
        said(&chat),
        vec![(Some("Dr. Who"), "time: 21:41 - not a header")]
    );
}

#[test]
fn system_lines_have_no_author() {
    let chat = parse(
        "31/12/2021, 21:40 - Carla created group \"Ano Novo\"\n\
         31/12/2021, 21:40 - Carla added Bob\n\
         31/12/2021, 21:41 - Bob left\n\
         31/12/2021, 21:42 - Carla: You deleted this message\n",
    );
    let kinds: Vec<&Kind> = chat.messages.iter().map(|m| &m.kind).collect();
    assert_eq!(
        kinds,
        vec![&Kind::System, &Kind::System, &Kind::System, &Kind::Deleted]
    );
    assert_eq!(
        chat.participants,
        vec!["Carla"],
        "system lines add no participant"
    );
}

#[test]
fn a_notice_quoting_a_colon_is_still_a_notice() {
    let chat = parse(
        "31/12/2021, 21:40 - Carla changed the subject to \"Promo: 50% off\"\n\
         31/12/2021, 21:41 - Carla: Welcome all\n\
         31/12/2021, 21:42 - Carla mudou a descrição do grupo para \u{201C}Horário: 9h\u{201D}\n",
    );
    let kinds: Vec<&Kind> = chat.messages.iter().map(|m| &m.kind).collect();
    assert_eq!(kinds, vec![&Kind::System, &Kind::Text, &Kind::System]);
    assert_eq!(
        chat.messages[0].text,
        "Carla changed the subject to \"Promo: 50% off\""
    );
    assert_eq!(chat.participants, vec!["Carla"]);
}

#[test]
fn ambiguous_file_is_guessed_and_says_so() {
    let us = parse("1/2/21, 9:41 PM - Ann: hi\n3/4/21, 10:00 AM - Bo: yo\n");
    assert_eq!(
        (us.date_order, us.date_order_guessed),
        (DateOrder::Mdy, true)
    );
    assert_eq!(us.messages[0].at, at(2021, 1, 2, 21, 41, 0));

    let eu = parse("01/02/2021, 21:41 - Ann: hi\n03/04/2021, 10:00 - Bo: yo\n");
    assert_eq!(
        (eu.date_order, eu.date_order_guessed),
        (DateOrder::Dmy, true)
    );
    assert_eq!(eu.messages[0].at, at(2021, 2, 1, 21, 41, 0));

    let spanish = parse("1/2/21, 9:41 p. m. - Ann: hola\n");
    assert_eq!(
        (spanish.date_order, spanish.date_order_guessed),
        (DateOrder::Dmy, true)
    );
}

#[test]
fn one_line_deep_in_the_file_settles_the_order() {
    let mut text = String::new();
    for day in 1..=12 {
        text.push_str(&format!("{day}/5/22, 9:00 AM - Ann: morning {day}\n"));
    }
    text.push_str("5/13/22, 9:00 AM - Ann: the 13th\n");
    let chat = parse(&text);
    assert_eq!(
        (chat.date_order, chat.date_order_guessed),
        (DateOrder::Mdy, false)
    );
    assert_eq!(chat.messages[0].at, at(2022, 1, 5, 9, 0, 0));
    assert_eq!(chat.messages[12].at, at(2022, 5, 13, 9, 0, 0));

    // The same file in day-first form is settled the other way.
    let flipped =
        parse("1/5/22, 09:00 - Ann: a\n2/5/22, 09:00 - Ann: b\n13/5/22, 09:00 - Ann: c\n");
    assert_eq!(
        (flipped.date_order, flipped.date_order_guessed),
        (DateOrder::Dmy, false)
    );
    assert_eq!(flipped.messages[0].at, at(2022, 5, 1, 9, 0, 0));
}

#[test]
fn quoted_header_of_the_other_style_stays_text() {
    let chat = parse(
        "[31/12/21, 21:41:05] Ann: look what he sent:\n\
         31/12/21, 21:40 - Bob: hi\n\
         [31/12/21, 21:42:00] Bob: lol\n",
    );
    assert_eq!(chat.format, Format::Ios);
    assert_eq!(chat.messages.len(), 2);
    assert_eq!(
        chat.messages[0].text,
        "look what he sent:\n31/12/21, 21:40 - Bob: hi"
    );
}

#[test]
fn direction_marks_are_stripped_everywhere_but_other_spaces_kept() {
    let chat =
        parse("\u{200f}31/12/2021, 21:41 - \u{2068}Ahmed\u{2069}: \u{200f}مرحبا\u{a0}hi\u{200e}\n");
    assert_eq!(said(&chat), vec![(Some("Ahmed"), "مرحبا\u{a0}hi")]);
}
