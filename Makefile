# 投诉助手 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYSTEM ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/complaint-desk.tar.gz
TRAINING_INPUTS := config.yml domain.yml knowledge/emotion_cues.yml \
	$(shell find data knowledge/jieba components complaint_desk/nlu -type f -not -path '*/__pycache__/*' 2>/dev/null)

export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false
export PYTHONPATH := $(CURDIR)
# endpoints.yml needs these to load; tools.stack sets the real ones per stack.
export TRACKER_DB_URL ?= sqlite:///$(CURDIR)/var/tracker.db
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:5055/webhook

.PHONY: help install browser services train validate run test test-unit test-integration test-e2e test-production test-stories lint eval-nlu eval-blind bench bench-profile bench-length bench-assist bench-insights insights-report seed-demo vendor-js vendor-web vendor-axe clean

help:
	@echo "make run    # 安装依赖、按需训练模型，并启动动作服务器 + Rasa 服务器"
	@echo "make test   # 安装依赖、校验数据、训练，并运行全部测试"

$(BIN)/.installed: requirements/rasa-3.6.21-py311.txt requirements/dev.txt
	@echo ">> 创建虚拟环境并安装固定版本的依赖（首次约 2 分钟）"
	test -x $(BIN)/python || $(PYTHON_SYSTEM) -m venv $(VENV)
	# pip's own exit status decides (pipefail); the filter only drops a known harmless warning.
	set -o pipefail; $(BIN)/pip install --quiet --no-deps --ignore-requires-python \
		-r requirements/rasa-3.6.21-py311.txt -r requirements/dev.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(BIN)/python -c "import rasa, rasa_sdk, opencc, pytest" 
	touch $@

install: $(BIN)/.installed

# The e2e tests drive Debian's chromium through Playwright (never a downloaded browser). It and a
# Chinese font (without one every label is drawn as boxes) are installed only when missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x $(CHROMIUM) && fc-list :lang=zh | grep -q . || { echo ">> 安装 chromium 和中文字体（apt-get，浏览器端到端测试需要）"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei; }

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

test-integration: $(MODEL) services
	$(BIN)/pytest tests/integration

test-e2e: $(MODEL) browser
	$(BIN)/pytest tests/e2e

# PostgreSQL, Redis and RabbitMQ for the tests: the machine's own when they answer; otherwise the tests start
# throwaway instances in a scratch directory (tools/services.py); this installs the servers with apt if missing.
services: install
	$(BIN)/python -m tools.services --install-missing

# Several Rasa replicas on PostgreSQL, Redis and RabbitMQ (see README "Production").
test-production: $(MODEL) services
	$(BIN)/pytest tests/production

test-stories: $(MODEL)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml \
		--fail-on-prediction-errors --out var/results/stories

test: validate lint $(MODEL) browser services
	$(BIN)/pytest
	$(MAKE) test-stories

eval-nlu: install
	$(BIN)/python -m tools.eval_nlu

# Figures on the blind sets in tests/blind/ (guard, messages, conversations): make eval-blind ARGS="--part guard"
eval-blind: $(MODEL)
	$(BIN)/python -m tools.eval_blind $(ARGS)

bench: $(MODEL)
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

# A turn's CPU split by stage (py-spy), and a turn at length 1 against 10, 30 and 60: BENCH_ARGS="--mode dev".
bench-profile: $(MODEL)
	$(BIN)/python -m bench.profile_turns $(BENCH_ARGS)

bench-length: $(MODEL)
	$(BIN)/python -m bench.turn_length $(BENCH_ARGS)

bench-assist: $(MODEL)
	$(BIN)/python bench/bench_assist.py --stack

# The widget's one browser dependency is committed (web/widget/vendor/); this refreshes it from the npm
# registry, exactly as locked in web/widget/package-lock.json. No build step.
vendor-js:
	cd web/widget && npm ci --ignore-scripts --no-audit --no-fund
	cp web/widget/node_modules/socket.io-client/dist/socket.io.min.js web/widget/vendor/
	cp web/widget/node_modules/socket.io-client/LICENSE web/widget/vendor/socket.io.LICENSE

bench-insights: $(MODEL) browser
	$(BIN)/python bench/bench_insights.py

# Supervisor insights as a daily report: make insights-report ARGS="--since 7d --format text"
insights-report: install
	$(BIN)/python -m tools.insights_report $(ARGS)

seed-demo: install
	$(BIN)/python -m tools.seed_demo_tickets $(ARGS)

# The browser tests' accessibility checker (axe-core, MPL-2.0) is committed in tests/e2e/vendor/; this refreshes it
# from tests/e2e/vendor/package-lock.json.
vendor-axe:
	cd tests/e2e/vendor && npm ci --ignore-scripts --no-audit --no-fund && cp node_modules/axe-core/axe.min.js . \
		&& cp node_modules/axe-core/LICENSE axe-core.LICENSE && rm -rf node_modules

# Re-vendor the page's chart library from the lock file (web/insights/package-lock.json).
vendor-web:
	cd web/insights && npm ci --ignore-scripts && cp node_modules/chart.js/dist/chart.umd.min.js vendor/ \
		&& cp node_modules/chart.js/LICENSE.md vendor/chart.js.LICENSE.md

clean:
	rm -rf models var results .pytest_cache .ruff_cache
