# syntax=docker/dockerfile:1
# The worker image: hosts the Temporal workflows and activities (`python -m worker`)
# and serves its Prometheus metrics on WORKER_METRICS_PORT.
# Build from the repository root:
#   docker build -f deploy/docker/worker.Dockerfile -t genai-stack-worker .
FROM python:3.11-slim

ARG TORCH_VERSION=2.13.0

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_CONSTRAINT=/etc/pip/constraints.txt \
    DATA_DIR=/data \
    WORKER_METRICS_PORT=9464

# tini is PID 1: it forwards SIGTERM so the worker can drain in-flight activities.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

# CPU torch first, pinned by a constraint for every later pip call: the local
# embeddings (sentence-transformers) need torch and would otherwise pull the CUDA build.
RUN mkdir -p /etc/pip \
 && echo "torch==${TORCH_VERSION}" > /etc/pip/constraints.txt \
 && pip install "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cpu

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
 && mkdir -p /data \
 && chown app:app /data

WORKDIR /app
COPY . .
RUN pip install . \
 && rm -rf build ./*.egg-info

USER 10001:10001
EXPOSE 9464

HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/metrics' % os.environ['WORKER_METRICS_PORT'], timeout=4)"]

ENTRYPOINT ["tini", "--"]
CMD ["python", "-m", "worker"]
