# One image for every process of the complaint desk: Rasa replicas, action servers, the follow-up worker
# and the one-off database preparation (tools/container.py picks the role). The model is trained at build
# time from the checkout, so an image always carries the model of its own data.
#
#   docker build -t complaint-desk .
#   docker compose up            # docker-compose.yml: PostgreSQL, Redis, RabbitMQ, 2 replicas behind nginx
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
# The same pinned lists as `make install` (--no-deps: the lists are complete).
COPY requirements/ requirements/
RUN pip install --no-deps --ignore-requires-python \
        -r requirements/rasa-3.6.21-py311.txt -r requirements/dev.txt \
    && python -c "import rasa, rasa_sdk, opencc"

FROM base AS model
COPY config.yml domain.yml ./
COPY data/ data/
COPY knowledge/ knowledge/
COPY components/ components/
COPY complaint_desk/ complaint_desk/
RUN rasa train --fixed-model-name complaint-desk --out models

FROM base
COPY . .
COPY --from=model /app/models/complaint-desk.tar.gz models/complaint-desk.tar.gz
# Fit the guard's phrase model once into the image (var/cache), not in every container at start.
RUN python -c "from tools.stack import warm_guard_model; warm_guard_model()" \
    && useradd --uid 10001 --no-create-home desk \
    && mkdir -p var/evidence && chown -R desk var
USER desk
EXPOSE 5005 5055
ENTRYPOINT ["python", "-m", "tools.container"]
CMD ["rasa"]
