"""mean ± sample sd of a cell, as the study report writes it; shared by the experiment summaries."""
import statistics


def ms(values, scale=1.0, digits=1, unit=''):
    """'mean ± sd' of the values times scale ('x' for one value, '–' for none)."""
    values = [scale * v for v in values]
    if not values: return '–'
    if len(values) == 1: return f'{values[0]:.{digits}f}{unit}'
    return f'{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}{unit}'
