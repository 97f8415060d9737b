//! Lines that cannot be read are reported with their line number, never
//! guessed at or silently merged into a neighbouring message.

use super::said;
use crate::imports::chat_export::{parse, LineError};

fn lines_and_reasons(errors: &[LineError]) -> Vec<(usize, &str)> {
    errors.iter().map(|e| (e.line, e.reason.as_str())).collect()
}

#[test]
fn impossible_dates_and_times_are_reported_with_line_numbers() {
    let chat = parse(
        "31/12/2021, 21:41 - Ana: ok\n\
         30/02/2021, 10:00 - Ana: february 30th\n\
         01/01/2022, 25:00 - Ana: hour 25\n\
         01/01/2022, 10:61 - Ana: minute 61\n\
         01/01/2022, 13:00 PM - Ana: 13 PM\n\
         31/13/2021, 10:00 - Ana: month 13\n\
         01/01/2022, 10:00 - Ana: fine again\n",
    );
    assert_eq!(
        said(&chat),
        vec![(Some("Ana"), "ok"), (Some("Ana"), "fine again")]
    );
    let got: Vec<usize> = chat.errors.iter().map(|e| e.line).collect();
    assert_eq!(got, vec![2, 3, 4, 5, 6]);
    let reasons = lines_and_reasons(&chat.errors);
    assert!(
        reasons[0].1.contains("2021-02-30 is not a calendar date"),
        "{reasons:?}"
    );
    assert!(reasons[1].1.contains("hour 25"), "{reasons:?}");
    assert!(reasons[2].1.contains("minute 61"), "{reasons:?}");
    assert!(
        reasons[3].1.contains("hour 13 is impossible with PM"),
        "{reasons:?}"
    );
    assert!(reasons[4].1.contains("month 13"), "{reasons:?}");
    assert_eq!(
        chat.errors[0].text,
        "30/02/2021, 10:00 - Ana: february 30th"
    );
}

#[test]
fn a_date_valid_only_under_another_order_is_an_error() {
    let chat = parse(
        "13/01/2021, 10:00 - Ana: settles day-first\n\
         14/01/2021, 10:00 - Ana: again\n\
         01/13/2021, 10:00 - Bob: month-first line\n",
    );
    assert_eq!(chat.messages.len(), 2);
    assert_eq!(chat.errors.len(), 1);
    assert_eq!(chat.errors[0].line, 3);
    assert!(
        chat.errors[0].reason.contains("month/day/year"),
        "{:?}",
        chat.errors
    );
}

#[test]
fn continuation_of_a_broken_header_is_not_glued_to_the_previous_message() {
    let chat = parse(
        "31/12/2021, 21:41 - Ana: first\n\
         31/12/2021, 99:41 - Ana: broken\n\
         and its second line\n\
         31/12/2021, 21:45 - Ana: third\n",
    );
    assert_eq!(
        said(&chat),
        vec![(Some("Ana"), "first"), (Some("Ana"), "third")]
    );
    assert_eq!(chat.errors.len(), 2);
    assert_eq!(chat.errors[1].line, 3);
    assert!(chat.errors[1].reason.contains("line 2"));
}

#[test]
fn text_before_the_first_message_is_an_error() {
    let chat = parse("Chat export\n\n31/12/2021, 21:41 - Ana: hi\n");
    assert_eq!(
        lines_and_reasons(&chat.errors),
        vec![(1, "text before the first message")]
    );
    assert_eq!(chat.messages.len(), 1);
    assert_eq!(chat.messages[0].line, 3);
}

#[test]
fn empty_file_or_no_header_gives_one_error_at_line_1() {
    for input in ["", "\u{feff}", "hello\nworld\n", "\n\n"] {
        let chat = parse(input);
        assert_eq!(chat.messages, vec![], "{input:?}");
        assert_eq!(chat.errors.len(), 1, "{input:?}");
        assert_eq!(chat.errors[0].line, 1, "{input:?}");
    }
    assert_eq!(parse("hello\nworld").errors[0].text, "hello");
}

#[test]
fn error_text_is_capped_at_200_characters() {
    let long = format!("31/02/2021, 10:00 - Ana: {}", "é".repeat(500));
    let chat = parse(&long);
    assert_eq!(chat.errors[0].text.chars().count(), 200);
}

#[test]
fn years_must_have_two_or_four_digits() {
    let chat = parse("31/12/2021, 10:00 - Ana: ok\n31/12/202, 10:00 - Ana: bad\n");
    assert_eq!(chat.errors.len(), 1);
    assert!(
        chat.errors[0].reason.contains("year 202"),
        "{:?}",
        chat.errors
    );
}
