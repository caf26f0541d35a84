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
