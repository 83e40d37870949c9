# Production image: `docker build -t buurtnet .` then
#   docker run -p 8000:8000 -v buurtnet-data:/data -e BUURTNET_BASE_URL=https://buurt.example.nl buurtnet
# With PostgreSQL, also set BUURTNET_DATABASE_URL and BUURTNET_SECRET_KEY, run `buurtnet migrate`
# once, and start a second container with `buurtnet worker`.
# .ci/install_check.sh repeats these steps in a clean virtual environment, since CI has no Docker.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY buurtnet ./buurtnet
RUN python -m venv /opt/buurtnet \
 && /opt/buurtnet/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/buurtnet/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && /opt/buurtnet/bin/pip install --no-cache-dir /wheels/*.whl \
 && cd / \
 && /opt/buurtnet/bin/pybabel compile --statistics --domain messages \
      --directory "$(/opt/buurtnet/bin/python -c 'import buurtnet.web as w, os; print(os.path.dirname(w.__file__))')/locale"

FROM python:3.11-slim
ENV PATH=/opt/buurtnet/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    BUURTNET_DATA_DIR=/data
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin buurtnet \
 && mkdir /data && chown buurtnet:buurtnet /data
COPY --from=build /opt/buurtnet /opt/buurtnet
USER buurtnet
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["buurtnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
