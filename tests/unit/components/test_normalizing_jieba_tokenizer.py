import pytest
from rasa.shared.nlu.training_data.message import Message

from components.normalizing_jieba_tokenizer import NormalizingJiebaTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> NormalizingJiebaTokenizer:
    NormalizingJiebaTokenizer._load_custom_dictionary("knowledge/jieba")
    return NormalizingJiebaTokenizer({**NormalizingJiebaTokenizer.get_default_config()}, None, None)


def tokens(tokenizer: NormalizingJiebaTokenizer, text: str) -> list[tuple[str, int]]:
    return [(token.text, token.start) for token in tokenizer.tokenize(Message(data={"text": text}), "text")]


def test_an_order_number_holding_a_hotline_stays_one_token(tokenizer: NormalizingJiebaTokenizer) -> None:
    assert ("812315000001", 3) in tokens(tokenizer, "订单号812315000001")


def test_traditional_text_is_tokenized_as_simplified_with_original_offsets(tokenizer: NormalizingJiebaTokenizer) -> None:
    result = tokens(tokenizer, "我要退貨，運費險怎麼算")
    assert ("运费险", 5) in result


def test_blank_tokens_between_scripts_are_dropped(tokenizer: NormalizingJiebaTokenizer) -> None:
    assert all(text.strip() for text, _ in tokens(tokenizer, "iPhone 15 屏幕 有 bug"))


def test_a_measure_word_after_a_number_is_its_own_token(tokenizer: NormalizingJiebaTokenizer) -> None:
    result = tokens(tokenizer, "客服承诺差价30元以红包形式返还")
    assert ("30", 6) in result
    assert ("元", 8) in result


def test_every_entity_annotation_in_the_training_data_ends_on_token_boundaries(
    tokenizer: NormalizingJiebaTokenizer,
) -> None:
    """DIET learns nothing from a span that cuts a token; Rasa only warns about it at training time."""
    from rasa.shared.nlu.training_data.loading import load_data

    misaligned = []
    for example in load_data("data/nlu").entity_examples:
        found = tokenizer.tokenize(example, "text")
        starts, ends = {token.start for token in found}, {token.end for token in found}
        for entity in example.get("entities", []):
            if entity["start"] not in starts or entity["end"] not in ends:
                misaligned.append(f"{example.get('text')} [{entity['start']}:{entity['end']}]")
    assert not misaligned, "entity spans that cut a token (fix the span or add the word to knowledge/jieba):\n" + \
        "\n".join(misaligned)


def test_an_order_number_glued_to_a_prefix_is_its_own_token(tokenizer: NormalizingJiebaTokenizer) -> None:
    assert ("640281937715", 3) in tokens(tokenizer, "No.640281937715")
