"""Montréal's 19 boroughs (arrondissements), spelled as the city spells them.

The one list every app uses (forms, demo data, reports). Proper names: not translated.
"""

BOROUGHS = [
    "Ahuntsic-Cartierville",
    "Anjou",
    "Côte-des-Neiges–Notre-Dame-de-Grâce",
    "L'Île-Bizard–Sainte-Geneviève",
    "Lachine",
    "LaSalle",
    "Le Plateau-Mont-Royal",
    "Le Sud-Ouest",
    "Mercier–Hochelaga-Maisonneuve",
    "Montréal-Nord",
    "Outremont",
    "Pierrefonds-Roxboro",
    "Rivière-des-Prairies–Pointe-aux-Trembles",
    "Rosemont–La Petite-Patrie",
    "Saint-Laurent",
    "Saint-Léonard",
    "Verdun",
    "Ville-Marie",
    "Villeray–Saint-Michel–Parc-Extension",
]
BOROUGH_CHOICES = [(name, name) for name in BOROUGHS]
