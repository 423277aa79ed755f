"""gammabin.irf"""
