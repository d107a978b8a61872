# The `maxrec serve` image: the REST service of the original MAX Recommender
# (POST /model/predict, GET /model/metadata, Swagger UI) on port 5000.
#
#   npm run build
#   docker build -t maxrec-serve .                                   # assets/trained_model/
#   docker build -t maxrec-serve --build-arg use_pre_trained_model=false .
#                                               # training_output/trained_model/, from `maxrec train`
#   docker run -p 5000:5000 maxrec-serve
#
# use_pre_trained_model=true (the default, as the original's) serves a model
# folder placed at assets/trained_model/ (model.onnx, users.json, items.json,
# ...), e.g. the trained_model/ of a model_training_output.tar.gz; nothing is
# downloaded. false serves the model `maxrec train CONFIG package` extracted.

# Picks the model folder, so the image holds only the one it serves.
FROM node:20-slim AS model
ARG use_pre_trained_model=true
COPY . /context
RUN if [ "$use_pre_trained_model" = "true" ]; then \
      src=/context/assets/trained_model; \
    else \
      src=/context/training_output/trained_model; \
    fi; \
    if [ ! -f "$src/model.onnx" ]; then \
      echo "No trained model at ${src#/context/} (use_pre_trained_model=$use_pre_trained_model)." >&2; \
      exit 1; \
    fi; \
    cp -r "$src" /model

FROM node:20-slim
WORKDIR /app
# onnxruntime-node's CPU binaries ship in its npm package; skip its
# install step, which would fetch GPU ones.
ENV NODE_ENV=production npm_config_onnxruntime_node_install=skip
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin/ bin/
COPY dist/ dist/
COPY --from=model /model /app/model
USER node
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:5000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/maxrec.js", "serve", "/app/model", "--host", "0.0.0.0", "--port", "5000"]
