# 投诉助手 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYSTEM ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/complaint-desk.tar.gz
TRAINING_INPUTS := config.yml domain.yml knowledge/emotion_cues.yml \
	$(shell find data knowledge/jieba components -type f -not -path '*/__pycache__/*' 2>/dev/null) \
	complaint_desk/text_normalize.py complaint_desk/emotion.py complaint_desk/numerals.py

export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false
export PYTHONPATH := $(CURDIR)
# endpoints.yml needs these to load; tools.stack sets the real ones per stack.
export TRACKER_DB_URL ?= sqlite:///$(CURDIR)/var/tracker.db
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:5055/webhook

.PHONY: help install train validate run test test-unit test-integration test-production test-stories lint eval-nlu bench clean

help:
	@echo "make run    # 安装依赖、按需训练模型，并启动动作服务器 + Rasa 服务器"
	@echo "make test   # 安装依赖、校验数据、训练，并运行全部测试"

$(BIN)/.installed: requirements/rasa-3.6.21-py311.txt requirements/dev.txt
	@echo ">> 创建虚拟环境并安装固定版本的依赖（首次约 2 分钟）"
	test -x $(BIN)/python || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python \
		-r requirements/rasa-3.6.21-py311.txt -r requirements/dev.txt 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/python -c "import rasa, rasa_sdk, opencc, pytest" 
	touch $@

install: $(BIN)/.installed

$(MODEL): $(BIN)/.installed $(TRAINING_INPUTS)
	@echo ">> 训练模型（数据或配置有变化）"
	mkdir -p models
	$(BIN)/rasa train --fixed-model-name complaint-desk --out models --force
	touch $@

train: $(MODEL)

validate: install
	$(BIN)/rasa data validate --fail-on-warnings

run: $(MODEL)
	$(BIN)/python -m tools.stack

lint: install
	$(BIN)/ruff check .

test-unit: install
	$(BIN)/pytest tests/unit

test-integration: $(MODEL)
	$(BIN)/pytest tests/integration

# Several Rasa replicas on the machine's PostgreSQL and Redis (see README "Production").
test-production: $(MODEL)
	$(BIN)/pytest tests/production

test-stories: $(MODEL)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out var/results/stories

test: validate lint $(MODEL)
	$(BIN)/pytest
	$(MAKE) test-stories

eval-nlu: install
	$(BIN)/python -m tools.eval_nlu

bench: $(MODEL)
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

clean:
	rm -rf models var results .pytest_cache .ruff_cache
