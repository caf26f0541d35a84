"""The shopper's side of the desk, without Rasa: what the chat widget says (knowledge/widget.yml), where a shopper
stands in the queue, messages left outside service hours, and 1–5 star ratings."""
