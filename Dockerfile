# awareprint serve in a container: Debian with the project's system packages, a non-root user, and a
# file system the app never writes to (run it with --read-only; /tmp is a tmpfs for uploads in flight).
#   docker build -t awareprint .
#   docker run --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges -p 8000:8000 awareprint
# See docs/serving.md for a host config, basic auth and a reverse proxy in front.
FROM python:3.11-slim-bookworm

# FriBiDi: the text layout's bidi support through Pillow's libraqm; nothing else is needed to serve
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libfribidi0 libraqm0 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin awareprint
WORKDIR /src
COPY . /src
# a plain install: the content (materials, regions, templates, fonts, profiles) ships inside the package
RUN pip install --no-cache-dir /src && rm -rf /src
WORKDIR /

USER awareprint
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AWAREPRINT_CACHE=off \
    TMPDIR=/tmp
EXPOSE 8000
# a config file, if any, is mounted read-only: -v ./serve.yaml:/etc/awareprint/serve.yaml:ro and
# add --config /etc/awareprint/serve.yaml
CMD ["awareprint", "serve", "--host", "0.0.0.0", "--port", "8000"]
