"""What the data and the model say: distributions, correlations, SHAP explanations, risk x profit segments."""
